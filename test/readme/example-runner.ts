import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOOPBACK_PRELOAD } from '../support/test-stack';
import type { TypeScriptExample } from './typescript-examples';

export interface ExampleRun {
  /** True when the example's module ran to its end without throwing. */
  completed: boolean;
  output: string;
}

const DONE = 'readme-example: completed';
/** Longest an example may run (it makes a few calls against the local stack). */
const RUN_TIMEOUT_MILLISECONDS = 60_000;

/**
 * Imports the example's module, then ends the process as an operator's SIGTERM would: what the
 * example left open (a publisher's exit hook flushes and closes on SIGTERM) is closed as it
 * documents, and a listener it keeps does not hold the test up.
 */
const RUNNER = `
const [, , example] = process.argv;
try {
  await import(new URL('file://' + example).href);
  console.log(${JSON.stringify(DONE)});
} catch (error) {
  console.error(error);
  process.exit(1);
}
process.kill(process.pid, 'SIGTERM');
`;

/** Runs one compiled example in its own node process with `env` (the stack's client environment). */
export function runExample(example: TypeScriptExample, env: NodeJS.ProcessEnv): Promise<ExampleRun> {
  const runner = join(dirname(example.output), 'run-example.mjs');
  writeFileSync(runner, RUNNER);
  return new Promise((resolve) => {
    let output = '';
    const child = execFile(process.execPath, ['--require', LOOPBACK_PRELOAD, runner, example.output], { env: { ...process.env, ...env }, timeout: RUN_TIMEOUT_MILLISECONDS }, () =>
      resolve({ completed: output.includes(DONE), output }),
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });
}
