import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { LOOPBACK_PRELOAD } from '../support/test-stack';

export interface CommandResult {
  status: number;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** Longest one command may run (a loaded CI machine, a CLI starting Google clients). */
const COMMAND_TIMEOUT_MILLISECONDS = 60_000;

/**
 * `npx governor` is this checkout's CLI, as npx resolves it in the checkout — run directly, which
 * saves npm's ~1.5 s start per command. Any other npx goes to npx.
 */
const NPX_SHIM = `npx() { if [ "$1" = governor ]; then shift; node ${JSON.stringify(join(repoRoot(), 'bin/governor.js'))} "$@"; else command npx "$@"; fi; }`;

/**
 * A shell a reader would type into: each command runs through bash in a working directory of its
 * own, and what it exports (or where it cd's) carries over to the next command, as in a terminal.
 */
export class ShellSession {
  readonly directory = mkdtempSync(join(tmpdir(), 'governor-readme-'));
  private env: NodeJS.ProcessEnv;
  private cwd = this.directory;

  constructor(env: NodeJS.ProcessEnv) {
    // Every node process the commands start refuses non-loopback connections, as the tests do.
    this.env = { ...env, NODE_OPTIONS: `--require ${LOOPBACK_PRELOAD}` };
  }

  /** The environment the next command starts with. */
  get variables(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  writeFile(name: string, content: string): void {
    writeFileSync(join(this.cwd, name), content);
  }

  /** Runs one command line; its exports and working directory become the session's. */
  run(command: string): Promise<CommandResult> {
    const envFile = join(this.directory, '.env-after');
    const pwdFile = join(this.directory, '.pwd-after');
    const script = [NPX_SHIM, command, '__status=$?', `env -0 > ${JSON.stringify(envFile)}; pwd > ${JSON.stringify(pwdFile)}`, 'exit $__status'].join('\n');
    return new Promise((resolve) => {
      let output = '';
      const child = execFile('bash', ['--noprofile', '--norc', '-o', 'pipefail', '-c', script], { cwd: this.cwd, env: this.env, timeout: COMMAND_TIMEOUT_MILLISECONDS, maxBuffer: 16 * 1024 * 1024 }, (error) => {
        const status = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
        try {
          this.env = Object.fromEntries(
            readFileSync(envFile, 'utf8')
              .split('\0')
              .filter((e) => e.includes('='))
              .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
          );
          this.cwd = readFileSync(pwdFile, 'utf8').trim();
        } catch {
          // The command ended the shell (exit, a signal): the session keeps what it had.
        }
        resolve({ status, output: output + (error && error.killed ? `\n[killed after ${COMMAND_TIMEOUT_MILLISECONDS} ms]` : '') });
      });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    });
  }

  close(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
