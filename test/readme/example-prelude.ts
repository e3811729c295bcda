/**
 * What the README's TypeScript examples take as given — the agent's own model client, prompt and
 * helpers — as one module they import from (only the names an example uses and does not declare).
 * It is compiled with the examples and runs with them: `ai` is the real @google/genai client, made
 * as an agent makes it; the SDK takes its address from GOOGLE_GEMINI_BASE_URL, which the harness
 * points at a local stand-in (so does GeminiEmbedder's client).
 */
export const PRELUDE_MODULE = 'readme-prelude';

export const PRELUDE_SOURCE = `
import { GoogleGenAI } from '@google/genai';
import type { Request } from 'express';
import { createPublisher } from 'governor';

/** The agent's Gemini client. */
export const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
export const prompt = 'Write 5 tips for remote work';
export const system = 'You are a concise writer.';
/** An example that goes on from an earlier one uses the earlier one's publisher. */
export const governor = createPublisher({ source: 'blog-writer-1' });
export const hit = true;
export const projectId = process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-governor';
export async function summarize(): Promise<string> { return 'summary'; }
export function generate(input: { prompt: string }): { text: string } { return { text: input.prompt }; }
export function render(id: number): string { return '<h1>post ' + id + '</h1>'; }
export function skipOptionalWork(details: unknown): void { console.log('skipping optional work', details); }
export declare const req: Request;
`;

/** Names the prelude exports, for the examples to import. */
export const PRELUDE_NAMES = [...PRELUDE_SOURCE.matchAll(/^export (?:declare )?(?:const|async function|function) (\w+)/gm)].map((m) => m[1] as string);
