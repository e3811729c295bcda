import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Dimensions of the stand-in's embeddings (GeminiEmbedder asks for 768). */
const EMBEDDING_DIMENSIONS = 768;

/** A deterministic vector for a text: equal texts embed equally (a stand-in, not a model). */
function embedding(text: string): number[] {
  const values = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    let hash = 0;
    for (const c of word) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
    values[hash % EMBEDDING_DIMENSIONS] = (values[hash % EMBEDDING_DIMENSIONS] ?? 0) + 1;
  }
  return values;
}

/** What the stand-in answers for every generateContent call: its token counts price the call. */
export const STAND_IN_USAGE = { promptTokenCount: 1000, candidatesTokenCount: 400, totalTokenCount: 1400 } as const;

export interface GeminiStandIn {
  /** `httpOptions.baseUrl` for @google/genai (or GOVERNOR_GEMINI_ENDPOINT). */
  baseUrl: string;
  /** Every generateContent call: the model in its path and the API key it carried. */
  calls: { model: string; apiKey: string | undefined }[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

/**
 * An in-process server speaking the Gemini API's REST `POST /v1beta/models/{model}:generateContent`
 * (what @google/genai sends with `httpOptions.baseUrl`, DESIGN.md §6): one candidate and
 * `usageMetadata` on the response itself; and `:batchEmbedContents` (GeminiEmbedder). Anything else
 * is a 404 in the API's error shape.
 */
export async function startGeminiStandIn(): Promise<GeminiStandIn> {
  const calls: GeminiStandIn['calls'] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.method === 'POST' && /^\/v1beta\/models\/[^:/]+:batchEmbedContents/.test(req.url ?? '')) {
        const requests = (body as { requests: { content: { parts: { text: string }[] } }[] }).requests;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ embeddings: requests.map((r) => ({ values: embedding(r.content.parts.map((p) => p.text).join(' ')) })) }));
        return;
      }
      const model = /^\/v1beta\/models\/([^:/]+):generateContent/.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || !model) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: `no such method: ${req.method} ${req.url}`, status: 'NOT_FOUND' } }));
        return;
      }
      calls.push({ model, apiKey: req.headers['x-goog-api-key'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: '1. Keep a routine. 2. Take breaks.' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: STAND_IN_USAGE,
          modelVersion: model,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
