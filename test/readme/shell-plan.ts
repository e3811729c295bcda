import { isShell, isTypeScript, type ReadmeBlock } from './readme-blocks';

/**
 * What the README's shell blocks say, as steps the harness runs in their documented order.
 *
 * The README's own conventions, read as the test:
 * - `# → <text>` (on its own line, or after a command) — the command above prints <text>;
 *   `…` stands for anything on that line, runs of spaces for any spacing, `<name>` for one word
 *   that later commands use where they say `<name>`.
 * - `# → refused: <text>` — the command exits non-zero saying <text>.
 * - `# → one "<subject>" email in <mail catcher URL>` — exactly one email with that subject arrives.
 * - `[--flag]` — optional parts are left out when the command is run.
 * - `<!-- readme-test: illustration -->` before a fence — not run (it needs what a test cannot have).
 * - `<!-- readme-test: file NAME -->` before a fence — the block is the file NAME the next commands use.
 * - `<!-- readme-test: given … -->` before a fence — state the block assumes (a named fixture).
 * - `<!-- readme-test: run -->` before a TypeScript fence — the example also runs against a stack
 *   (readme-agents.emulator.test.ts); every TypeScript example is compiled.
 */

export type Expectation =
  | { kind: 'output'; line: number; text: string; pattern: RegExp }
  | { kind: 'refused'; line: number; text: string; pattern: RegExp }
  | { kind: 'email'; line: number; subject: string; pattern: RegExp; mailUrl: string };

export interface ShellCommand {
  /** README line of the command (its first line when continued with `\`). */
  line: number;
  /** As written, without its comment. */
  written: string;
  /** What runs: optional `[…]` parts left out. */
  run: string;
  expectations: Expectation[];
  /** True when the harness itself stands for it (see STAND_INS). */
  standIn: string | undefined;
}

export type ShellStep =
  | { kind: 'run'; block: ReadmeBlock; commands: ShellCommand[]; givens: string[] }
  | { kind: 'stand-in'; block: ReadmeBlock; reasons: string[] }
  | { kind: 'illustration'; block: ReadmeBlock; reason: string }
  | { kind: 'file'; block: ReadmeBlock; name: string; content: string };

/**
 * Commands the harness does not run because it is what they do: the checkout is installed, the
 * stack the test starts is `npm start`'s (dist/bin/start.js after the build, on free ports), and
 * `npm test` is this run.
 */
export const STAND_INS: Record<string, string> = {
  'npm install': 'the checkout is installed (npm ci)',
  'npm ci': 'the checkout is installed (npm ci)',
  'npm start': "the harness starts npm start's stack (dist/bin/start.js) on free ports",
  'npm test': 'this is npm test',
};

const ARROW = /#\s*→\s*(.*)$/;

/** `text` as a pattern: `…` any characters on the line, spaces any spacing, `<name>` a captured word. */
export function expectedPattern(text: string): RegExp {
  const parts = text.split(/(…|[ \t]+|<[A-Za-z][\w-]*>)/).filter((p) => p !== '');
  const source = parts
    .map((p) => {
      if (p === '…') return '[^\\n]*?';
      if (/^[ \t]+$/.test(p)) return '[ \\t]+';
      const name = /^<([A-Za-z][\w-]*)>$/.exec(p)?.[1];
      if (name) return `(?<${name.replace(/-/g, '_')}>\\S+)`;
      return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(source);
}

const unquote = (text: string): string => (text.length > 1 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text);

function parseExpectation(raw: string, line: number): Expectation {
  const text = raw.trim();
  const email = /^one "(.+)" email in (\S+)$/.exec(text);
  if (email) return { kind: 'email', line, subject: email[1] as string, pattern: expectedPattern(email[1] as string), mailUrl: email[2] as string };
  const refused = /^refused:\s*(.+)$/.exec(text);
  if (refused) return { kind: 'refused', line, text: unquote(refused[1] as string), pattern: expectedPattern(unquote(refused[1] as string)) };
  if (text === '') throw new Error(`README line ${line}: "# →" says nothing`);
  return { kind: 'output', line, text: unquote(text), pattern: expectedPattern(unquote(text)) };
}

/** The command part of a shell line: everything before a `#` that starts a word outside quotes. */
export function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Leaves out optional `[…]` parts (outside quotes), as a reader typing the command would. */
export function withoutOptionalParts(command: string): string {
  return command.replace(/\s+\[[^\]'"]*\]/g, '').trim();
}

function standInOf(command: string): string | undefined {
  const parts = command.split('&&').map((p) => p.trim());
  const reasons = parts.map((p) => STAND_INS[p]);
  return reasons.every((r) => r !== undefined) ? [...new Set(reasons)].join('; ') : undefined;
}

/** The commands of one shell block, each with the `# →` lines that follow it. */
export function shellCommands(block: ReadmeBlock): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const lineNumber = block.line + i;
    let text = block.lines[i] as string;
    const arrowOnly = /^\s*#/.test(text);
    if (arrowOnly) {
      const arrow = ARROW.exec(text);
      if (!arrow) continue; // a plain comment
      const last = commands.at(-1);
      if (!last) throw new Error(`README line ${lineNumber}: "# →" with no command above it`);
      last.expectations.push(parseExpectation(arrow[1] as string, lineNumber));
      continue;
    }
    if (text.trim() === '') continue;
    while (withoutComment(text).endsWith('\\') && i + 1 < block.lines.length) text = `${withoutComment(text).slice(0, -1).trimEnd()} ${(block.lines[++i] as string).trimStart()}`;
    const written = withoutComment(text);
    const arrow = ARROW.exec(text.slice(written.length));
    commands.push({
      line: lineNumber,
      written,
      run: withoutOptionalParts(written),
      expectations: arrow ? [parseExpectation(arrow[1] as string, lineNumber)] : [],
      standIn: standInOf(written),
    });
  }
  return commands;
}

function annotationItems(block: ReadmeBlock): string[] {
  return (block.annotation ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Every block as a step, in README order. Fails on a shell block the harness would neither run
 * nor stand for and that is not marked as an illustration, and on annotations it does not know.
 */
export function shellPlan(blocks: readonly ReadmeBlock[]): ShellStep[] {
  const steps: ShellStep[] = [];
  for (const block of blocks) {
    const items = annotationItems(block);
    const illustration = items.find((i) => /^illustration\b/.test(i));
    const file = items.map((i) => /^file\s+(\S+)$/.exec(i)?.[1]).find((n) => n !== undefined);
    const givens = items.filter((i) => i.startsWith('given ')).map((i) => i.slice('given '.length));
    const unknown = items.filter((i) => !/^illustration\b/.test(i) && !/^file\s+\S+$/.test(i) && !i.startsWith('given ') && i !== 'run');
    if (unknown.length > 0) throw new Error(`README line ${block.line - 2}: unknown readme-test annotation "${unknown.join('; ')}" (known: illustration, file NAME, given …, run)`);
    if (items.includes('run') && !isTypeScript(block)) throw new Error(`README line ${block.line - 2}: "run" marks TypeScript examples (shell blocks always run)`);
    if (illustration) {
      steps.push({ kind: 'illustration', block, reason: illustration.replace(/^illustration\s*[—:-]?\s*/, '') });
      continue;
    }
    if (file) {
      steps.push({ kind: 'file', block, name: file, content: `${block.lines.join('\n')}\n` });
      continue;
    }
    if (!isShell(block)) {
      if (givens.length > 0) throw new Error(`README line ${block.line - 2}: "given" applies to shell blocks only`);
      continue;
    }
    const commands = shellCommands(block);
    if (commands.length === 0) throw new Error(`README line ${block.line}: a shell block without a command`);
    if (commands.every((c) => c.standIn !== undefined)) steps.push({ kind: 'stand-in', block, reasons: commands.map((c) => c.standIn as string) });
    else steps.push({ kind: 'run', block, commands, givens });
  }
  return steps;
}
