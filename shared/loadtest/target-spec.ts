import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as GovernorTargetModule from './governor-target';
import type { PipelineEventType } from './governor-target';
import { HttpTarget, type HttpRequestSpec } from './http-target';
import type { LoadTarget } from './load-target';
import { assertLoopbackOrAllowed } from './target-guard';

/** A target as plain data, so worker processes and Cloud Run tasks can build the same one. */
export type TargetSpec =
  | {
      kind: 'http';
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      /** A JS module exporting `request(index) → { method?, path?, headers?, body? }`. */
      scenario?: string;
      connections?: number;
      timeoutMilliseconds?: number;
      okStatuses?: number[];
    }
  | { kind: 'governor'; projectId: string; runId: string; types?: PipelineEventType[]; timeoutMilliseconds?: number };

export class TargetSpecError extends Error {
  override readonly name = 'TargetSpecError';
}

/** Loads a scenario module; it must export a `request(index)` function. */
export async function loadScenario(file: string): Promise<(index: number) => HttpRequestSpec> {
  let mod: { request?: unknown; default?: { request?: unknown } };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as typeof mod;
  } catch (error) {
    throw new TargetSpecError(`scenario ${file}: ${(error as Error).message}`);
  }
  const request = mod.request ?? mod.default?.request;
  if (typeof request !== 'function') throw new TargetSpecError(`scenario ${file} must export a function request(index) returning { method?, path?, headers?, body? }`);
  return (index) => {
    const spec = (request as (i: number) => unknown)(index);
    if (!spec || typeof spec !== 'object') throw new TargetSpecError(`scenario request(${index}) returned ${String(spec)}, not a request`);
    return spec as HttpRequestSpec;
  };
}

/**
 * Builds the target, refusing hosts outside loopback unless `allowRemote`: the HTTP endpoint's
 * host, or for Governor's pipeline the emulators it talks to (production Google APIs are remote).
 */
export async function createTarget(spec: TargetSpec, allowRemote: boolean, env: NodeJS.ProcessEnv = process.env): Promise<LoadTarget> {
  if (spec.kind === 'http') {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      throw new TargetSpecError(`"${spec.url}" is not a URL`);
    }
    await assertLoopbackOrAllowed(url.hostname, allowRemote);
    const request = spec.scenario ? await loadScenario(spec.scenario) : undefined;
    return new HttpTarget({ ...spec, request });
  }
  // Loaded only for this target: the Google clients cost an HTTP-only worker seconds of start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GovernorTarget, PIPELINE_EVENT_TYPES } = require('./governor-target') as typeof GovernorTargetModule;
  for (const t of spec.types ?? []) if (!PIPELINE_EVENT_TYPES.includes(t)) throw new TargetSpecError(`event type "${t}" is not one of ${PIPELINE_EVENT_TYPES.join(', ')}`);
  const emulators = [env.PUBSUB_EMULATOR_HOST, env.FIRESTORE_EMULATOR_HOST];
  if (emulators.some((e) => !e) && !allowRemote) {
    throw new TargetSpecError('--target governor needs PUBSUB_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST (the local stack: `npm start` prints them); against Google itself pass --allow-remote');
  }
  for (const e of emulators) if (e) await assertLoopbackOrAllowed(e.replace(/:\d+$/, ''), allowRemote, 'emulator');
  return new GovernorTarget(spec);
}
