import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import type { FunctionSpec } from '../../shared/topology/topology';
import { waitForPort } from './ports';
import { startProcess, untilReady, type ManagedProcess } from './process-group';

/** What running a function needs: a push consumer's spec, or an HTTP function's (the dashboard). */
type RunnableSpec = Pick<FunctionSpec, 'name' | 'target'>;

export interface FunctionProcess<S extends RunnableSpec = FunctionSpec> {
  spec: S;
  url: string;
  port: number;
  process: ManagedProcess;
}

export interface StartFunctionOptions<S extends RunnableSpec = FunctionSpec> {
  spec: S;
  port: number;
  /** Compiled entry point that registers every function (dist/functions/index.js). */
  source: string;
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--require` of a test preload. */
  nodeArgs?: string[];
  onLine?: (line: string) => void;
  startTimeoutMilliseconds?: number;
  /** Aborting it while the function starts stops it and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Run it from an unpacked, installed source archive instead of this checkout (see `DeployedPackage`). */
  deployedPackage?: DeployedPackage;
}

/**
 * An unpacked source archive (`npm run package`) with its production dependencies installed, run
 * the way Cloud Run functions' buildpack starts it: `node_modules/.bin/functions-framework` in that
 * folder, target and port from the environment, `main` from its package.json, and `node` from
 * `nodeBinDir` (the deployed major).
 */
export interface DeployedPackage {
  dir: string;
  nodeBinDir: string;
}

/** What functions-framework prints once its server listens on the port (build/src/main.js). */
const SERVING_LINE = 'Serving function...';

/** Resolves once `seen()` holds, polling; `signal` ends the wait early. */
async function waitForLine(seen: () => boolean, timeoutMilliseconds: number, label: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!seen()) {
    signal?.throwIfAborted();
    if (Date.now() > deadline) throw new Error(`${label} not printed within ${timeoutMilliseconds} ms`);
    await sleep(25, undefined, { signal });
  }
}

/** The functions-framework CLI entry, resolved from the installed package. */
function functionsFrameworkMain(): string {
  // The package exports only its API; its bin (build/src/main.js) sits beside the API entry.
  return join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
}

/** Runs one function under functions-framework (one per process, as in production). */
export async function startFunction<S extends RunnableSpec>(options: StartFunctionOptions<S>): Promise<FunctionProcess<S>> {
  const { spec, port, deployedPackage: deployed } = options;
  const env: NodeJS.ProcessEnv = { ...options.env, PORT: String(port), FUNCTION_TARGET: spec.target };
  let serving = false;
  const onLine = (line: string): void => {
    if (line.includes(SERVING_LINE)) serving = true;
    options.onLine?.(line);
  };
  const managed = deployed
    ? startProcess({
        name: spec.name,
        command: join(deployed.dir, 'node_modules/.bin/functions-framework'),
        args: [],
        cwd: deployed.dir,
        env: {
          ...env,
          FUNCTION_SIGNATURE_TYPE: 'http',
          PATH: `${deployed.nodeBinDir}:${env.PATH ?? ''}`,
          ...(options.nodeArgs?.length ? { NODE_OPTIONS: [env.NODE_OPTIONS, ...options.nodeArgs].filter(Boolean).join(' ') } : {}),
        },
        onLine,
      })
    : startProcess({
        name: spec.name,
        command: process.execPath,
        args: [...(options.nodeArgs ?? []), functionsFrameworkMain(), `--target=${spec.target}`, `--source=${options.source}`, '--signature-type=http', `--port=${port}`],
        env,
        onLine,
      });
  // Ready once this process says it serves (functions-framework logs it when its listen succeeded,
  // unless NODE_ENV is production) and the port answers: a port that answers alone may be another
  // process's (a port picked twice).
  const timeout = options.startTimeoutMilliseconds ?? 20_000;
  const announces = env.NODE_ENV !== 'production';
  await untilReady(
    managed,
    async (signal) => {
      if (announces) await waitForLine(() => serving, timeout, `${spec.name} (functions-framework's "${SERVING_LINE}")`, signal);
      await waitForPort(port, '127.0.0.1', timeout, spec.name, signal);
    },
    options.signal,
  );
  return { spec, port, url: `http://127.0.0.1:${port}`, process: managed };
}
