import { Option } from 'commander';

/** What a command given `jsonOption()` finds among its options. */
export interface JsonFlag {
  json?: boolean;
}

/** The `--json` option of a command that prints a result; a new one per command, which owns it. */
export function jsonOption(description = 'print JSON'): Option {
  return new Option('--json', description);
}

/** A value as the CLI writes JSON, to stdout and to `--out` files alike: indented, one final newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Prints a command's result: `jsonText(value)` under `--json`, else the human rendering. */
export function printResult(value: unknown, flags: JsonFlag, render: () => string): void {
  process.stdout.write(flags.json ? jsonText(value) : `${render()}\n`);
}
