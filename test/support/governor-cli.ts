import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { LOOPBACK_PRELOAD } from './test-stack';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `governor …` against a stack. Asynchronous: the stack's Secret Manager server lives in the
 * test process, and a blocking spawn would starve it.
 */
export function governorCli(env: () => NodeJS.ProcessEnv): (...args: string[]) => Promise<CliResult> {
  return (...args) =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--require', LOOPBACK_PRELOAD, join(repoRoot(), 'bin/governor.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env() } }, (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
}
