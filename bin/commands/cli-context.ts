import { readFileSync } from 'node:fs';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { projectIdOf } from '../../shared/basics/project-id';
import type { OperatorDeps } from '../../functions/common/operator/operator-actions';
import { createLogger } from '../../shared/logging/logger';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadTopology, type Topology } from '../../shared/topology/topology';

/** What every command needs, from the same env vars the functions use. */
export interface CliContext {
  projectId: string;
  topology: Topology;
  firestore(): Firestore;
  pubsub(): PubSub;
  secretManager(): SecretManagerServiceClient;
  close(): Promise<void>;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

function cliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const projectId = projectIdOf(env);
  if (!projectId) {
    throw new CliError('set GOOGLE_CLOUD_PROJECT (and PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST for the local stack; `npm start` prints them)');
  }
  let db: Firestore | undefined;
  let ps: PubSub | undefined;
  let sm: SecretManagerServiceClient | undefined;
  return {
    projectId,
    topology: loadTopology(env),
    firestore: () => (db ??= new Firestore({ projectId })),
    pubsub: () => (ps ??= new PubSub({ projectId })),
    secretManager: () => (sm ??= secretManagerClient(projectId, env)),
    async close() {
      await Promise.allSettled([db?.terminate(), ps?.close(), sm?.close()]);
    },
  };
}

/** What the shared operator actions (also the dashboard's) need, acting as `cli:$USER`. */
export function operatorDeps(ctx: CliContext): OperatorDeps {
  return {
    db: ctx.firestore(),
    pubsub: ctx.pubsub(),
    topology: ctx.topology,
    projectId: ctx.projectId,
    actor: `cli:${process.env.USER ?? 'operator'}`,
    log: createLogger({ component: 'governor-cli', level: 'warn', destination: process.stderr as never }),
    secretManager: () => ctx.secretManager(),
  };
}

/** Runs a command's work with a context that is closed afterwards, whatever happened. */
export async function withCliContext<T>(work: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = cliContext();
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

/** An integer option (`--max 20`), within `min`..`max` when given; anything else is a CliError naming it. */
export function intOption(value: string, name: string, range: { min?: number; max?: number } = {}): number {
  const n = Number(value);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(range.min !== undefined && range.max !== undefined ? `--${name} must be an integer from ${min} to ${max}, got "${value}"` : `--${name} must be an integer, got "${value}"`);
  }
  return n;
}

/** A JSON file an operator passes to a `set` command; a missing or malformed file is a CliError naming it. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}
