import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { CliError } from './cli-context';

/**
 * Reads a JSON array or JSON Lines file and validates every item against `schema` before the
 * caller acts on any; a bad item is a CliError naming the file, the line (or item) and the field,
 * ending with `refusal` ("nothing was warmed").
 */
export function readJsonItems<S extends z.ZodType>(file: string, schema: S, refusal: string): z.infer<S>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
  const trimmed = text.trim();
  let raw: { where: string; value: unknown }[];
  try {
    raw = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[]).map((value, i) => ({ where: `item ${i}`, value }))
      : trimmed.split('\n').flatMap((line, i) => (line.trim() ? [{ where: `line ${i + 1}`, value: JSON.parse(line) as unknown }] : []));
  } catch (error) {
    throw new CliError(`${file}: not JSON or JSON Lines (${(error as Error).message}); ${refusal}`);
  }
  return raw.map(({ where, value }) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new CliError(`${file} ${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ')}; ${refusal}`);
    return parsed.data as z.infer<S>;
  });
}
