import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';

/** One fenced code block of the README, with where it is and what the line before it says. */
export interface ReadmeBlock {
  /** The fence's info string: `sh`, `ts`, `json`, … (empty for a bare fence). */
  lang: string;
  /** README line number (1-based) of the block's first content line. */
  line: number;
  /** The block's content lines. */
  lines: string[];
  /** The `<!-- readme-test: … -->` on the line before the opening fence, without the wrapper. */
  annotation: string | undefined;
  /** The `## ` section the block is in. */
  section: string;
}

export const README_PATH = join(repoRoot(), 'README.md');

const FENCE = /^(`{3,})(\S*)\s*$/;
const ANNOTATION = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/;

/** Every fenced block of a Markdown text, in order. An unclosed fence is an error naming its line. */
export function readmeBlocks(text: string = readFileSync(README_PATH, 'utf8')): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const open = FENCE.exec(line);
    if (!open) continue;
    const fence = open[1] as string;
    const end = lines.findIndex((l, j) => j > i && l.trimEnd() === fence);
    if (end < 0) throw new Error(`README line ${i + 1}: the code fence is never closed`);
    const annotation = ANNOTATION.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({ lang: open[2] as string, line: i + 2, lines: lines.slice(i + 1, end), annotation, section });
    i = end;
  }
  return blocks;
}

/** Every `<!-- readme-test: … -->` comment with its line, wherever it is (one not before a fence is a mistake). */
export function readmeAnnotations(text: string = readFileSync(README_PATH, 'utf8')): { line: number; text: string; beforeFence: boolean }[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => {
    // A line that opens an HTML comment about readme-test, well formed or not (prose quoting one is not).
    const match = ANNOTATION.exec(line) ?? (line.trimStart().startsWith('<!--') && line.includes('readme-test') ? [line, line] : null);
    return match ? [{ line: i + 1, text: match[1] as string, beforeFence: FENCE.test(lines[i + 1] ?? '') }] : [];
  });
}

export const isShell = (block: ReadmeBlock): boolean => ['sh', 'bash', 'shell', 'console'].includes(block.lang);
export const isTypeScript = (block: ReadmeBlock): boolean => ['ts', 'typescript'].includes(block.lang);
