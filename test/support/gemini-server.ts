import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shareUndiciDispatcher } from './undici-dispatcher';

/** What the stand-in answers to one request. */
export type GeminiAnswer =
  | { kind: 'json'; status?: number; body: unknown }
  /** Server-sent events, one `data:` line per chunk; `stallAfter` stops sending (the connection stays open) after that many chunks. */
  | { kind: 'sse'; chunks: unknown[]; stallAfter?: number };

export interface GeminiRequest {
  path: string;
  method: string;
  apiKey: string | undefined;
  body: Record<string, unknown>;
}

/** A usageMetadata as the Gemini API writes it. */
export function usageMetadata(u: { prompt: number; candidates: number; thoughts?: number; cached?: number; toolUse?: number; audio?: number }): Record<string, unknown> {
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.candidates,
    ...(u.thoughts ? { thoughtsTokenCount: u.thoughts } : {}),
    ...(u.cached ? { cachedContentTokenCount: u.cached } : {}),
    ...(u.toolUse ? { toolUsePromptTokenCount: u.toolUse } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.prompt - (u.audio ?? 0) }, ...(u.audio ? [{ modality: 'AUDIO', tokenCount: u.audio }] : [])],
    totalTokenCount: u.prompt + u.candidates + (u.thoughts ?? 0) + (u.toolUse ?? 0),
  };
}

/** A generateContent answer with one text candidate. */
export function textAnswer(text: string, usage: Record<string, unknown>, modelVersion = 'gemini-2.5-flash'): Record<string, unknown> {
  return { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usage, modelVersion };
}

/** An API error body as Google writes it. */
export function apiError(status: number, message: string, code = status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL'): GeminiAnswer {
  return { kind: 'json', status, body: { error: { code: status, message, status: code } } };
}

/**
 * An in-process stand-in for the Gemini REST surface the real @google/genai client speaks
 * (`…:generateContent`, `…:streamGenerateContent?alt=sse`, `…:batchEmbedContents`, on the Gemini
 * API and Vertex AI paths alike). Each request takes the next queued answer, or `fallback`.
 */
export class GeminiServer {
  readonly requests: GeminiRequest[] = [];
  private readonly queue: GeminiAnswer[] = [];
  private readonly open = new Set<ServerResponse>();
  private server: Server | undefined;
  baseUrl = '';

  constructor(private readonly fallback: (request: GeminiRequest) => GeminiAnswer) {}

  /** Answers for the next requests, in order. */
  answerNext(...answers: GeminiAnswer[]): void {
    this.queue.push(...answers);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: GeminiRequest = { path: req.url ?? '', method: req.method ?? '', apiKey: req.headers['x-goog-api-key'] as string | undefined, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    this.requests.push(request);
    const answer = this.queue.shift() ?? this.fallback(request);
    if (answer.kind === 'json') {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const sent = answer.stallAfter ?? answer.chunks.length;
    for (const chunk of answer.chunks.slice(0, sent)) res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    if (sent === answer.chunks.length) res.end();
  }
}

/**
 * Serves `server` to the whole suite (a jest describe or file): started before its first test,
 * with undici's dispatcher shared with @google/genai, and closed after its last.
 */
export function serveGeminiToSuite(server: GeminiServer): GeminiServer {
  beforeAll(async () => {
    await shareUndiciDispatcher();
    await server.start();
  });
  afterAll(() => server.close());
  return server;
}
