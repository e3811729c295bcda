import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';

export interface EmbedRequest {
  path: string;
  apiKey: string | undefined;
  body: { requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number; taskType?: string }[] };
}

export interface GeminiStandIn {
  baseUrl: string;
  /** Every request received, in order. */
  requests: EmbedRequest[];
  /** The next request is answered with this HTTP error (as the API does for a bad key). */
  failNext(status: number): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmbedRequest['body'];
};

/**
 * An in-process server speaking the Gemini API's REST surface for embeddings
 * (`POST /v1beta/models/{model}:batchEmbedContents`), for the real @google/genai client. It plays
 * the model with the hashing embedder, scaled so the client's re-normalisation is exercised.
 */
export async function startGeminiStandIn(model = new HashingEmbedder({ dimensions: 768 })): Promise<GeminiStandIn> {
  const requests: EmbedRequest[] = [];
  let failing: number | undefined;
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ path: req.url ?? '', apiKey: req.headers['x-goog-api-key'] as string | undefined, body });
      if (failing) {
        res.writeHead(failing, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: failing, message: 'API key not valid', status: 'INVALID_ARGUMENT' } }));
        failing = undefined;
        return;
      }
      const embeddings = body.requests.map((r) => ({ values: model.embedOne(r.content.parts.map((p) => p.text).join(' ')).map((x) => x * 3) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ embeddings }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (status) => (failing = status),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
