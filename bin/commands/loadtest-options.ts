import { readFileSync } from 'node:fs';
import { ulid } from 'ulid';
import { projectIdOf } from '../../shared/basics/project-id';
import { LoadPlanError, parseDurationSeconds, resolveLoadPlan, type ExecutorModel, type LoadPlan } from '../../shared/loadtest/load-plan';
import type { TargetSpec } from '../../shared/loadtest/target-spec';
import { parseThreshold, ThresholdError, type Threshold } from '../../shared/loadtest/thresholds';
import { PIPELINE_EVENT_TYPES, type PipelineEventType } from '../../shared/loadtest/governor-target';
import { CLOUD_RUN_TASK_ENV } from '../../shared/loadtest/task-results';
import { CliError, intOption } from './cli-context';
import type { JsonFlag } from './json-output';

/** The flags of `governor loadtest run`, as commander hands them over. */
export interface LoadtestFlags extends JsonFlag {
  target: string;
  url?: string;
  method?: string;
  header: string[];
  body?: string;
  scenario?: string;
  model?: string;
  rate?: string;
  vus?: string;
  ratePerUser?: string;
  duration?: string;
  stages?: string;
  quick?: string | boolean;
  maxRequests?: string;
  maxInFlight?: string;
  connections?: string;
  timeout?: string;
  thinkTime?: string;
  events?: string;
  threshold: string[];
  workers: string;
  taskIndex?: string;
  taskCount?: string;
  runId?: string;
  allowRemote?: boolean;
  out?: string;
  html?: string;
  metrics?: boolean;
}

const num = (v: string, name: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a positive number, got "${v}"`);
  return n;
};
const ms = (v: string, name: string) => {
  try {
    return parseDurationSeconds(v) * 1000;
  } catch {
    throw new CliError(`--${name} must be a duration (e.g. 500ms, 10s), got "${v}"`);
  }
};

/** Plan from the profile and the overrides; bad values are CliErrors naming the flag. */
export function planOf(profile: string, f: LoadtestFlags): LoadPlan {
  if (f.rate && f.vus) throw new CliError('give --rate (open model) or --vus (closed model), not both');
  const model = (f.model ?? (f.vus ? 'closed' : 'open')) as ExecutorModel;
  if (f.rate && model === 'closed') throw new CliError('--rate is the open model; the closed model takes --vus');
  if (f.vus && model === 'open') throw new CliError('--vus is the closed model; the open model takes --rate');
  try {
    return resolveLoadPlan(profile, {
      model,
      stages: f.stages,
      peak: f.rate ? num(f.rate, 'rate') : f.vus ? num(f.vus, 'vus') : undefined,
      ratePerUser: f.ratePerUser ? num(f.ratePerUser, 'rate-per-user') : undefined,
      durationSeconds: f.duration ? ms(f.duration, 'duration') / 1000 : undefined,
      quickFactor: f.quick === undefined || f.quick === false ? undefined : f.quick === true ? 0.05 : num(f.quick, 'quick'),
      maxRequests: f.maxRequests ? intOption(f.maxRequests, 'max-requests', { min: 1, max: Number.MAX_SAFE_INTEGER }) : undefined,
    });
  } catch (error) {
    if (error instanceof LoadPlanError) throw new CliError(error.message);
    throw error;
  }
}

function headersOf(pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf(':');
      if (i <= 0) throw new CliError(`--header needs "Name: value", got "${p}"`);
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
}

/** The target as data (worker processes rebuild it from this). */
export function targetSpecOf(f: LoadtestFlags, runId: string, env: NodeJS.ProcessEnv = process.env): TargetSpec {
  const timeoutMilliseconds = f.timeout ? ms(f.timeout, 'timeout') : undefined;
  if (f.target === 'governor') {
    const projectId = projectIdOf(env);
    if (!projectId) throw new CliError('--target governor needs GOOGLE_CLOUD_PROJECT (and the emulator hosts `npm start` prints)');
    const types = f.events ? (f.events.split(',').map((t) => t.trim()) as PipelineEventType[]) : undefined;
    for (const t of types ?? []) if (!PIPELINE_EVENT_TYPES.includes(t)) throw new CliError(`--events: "${t}" is not one of ${PIPELINE_EVENT_TYPES.join(', ')}`);
    return { kind: 'governor', projectId, runId, types, timeoutMilliseconds };
  }
  if (f.target !== 'http') throw new CliError(`--target must be http or governor, got "${f.target}"`);
  if (!f.url) throw new CliError('give --url http://127.0.0.1:PORT/path (or --target governor)');
  const body = f.body?.startsWith('@') ? readFileSync(f.body.slice(1), 'utf8') : f.body;
  return {
    kind: 'http',
    url: f.url,
    method: f.method,
    headers: headersOf(f.header),
    body,
    scenario: f.scenario,
    connections: f.connections ? intOption(f.connections, 'connections', { min: 1, max: 10_000 }) : undefined,
    timeoutMilliseconds,
  };
}

export function thresholdsOf(list: string[]): Threshold[] {
  try {
    return list.map(parseThreshold);
  } catch (error) {
    if (error instanceof ThresholdError) throw new CliError(error.message);
    throw error;
  }
}

/** A Cloud Run task's share: from the flags, else from the env Cloud Run sets in each task. */
export function taskOf(f: LoadtestFlags, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } | undefined {
  const index = f.taskIndex ?? env[CLOUD_RUN_TASK_ENV.index];
  const count = f.taskCount ?? env[CLOUD_RUN_TASK_ENV.count];
  if (index === undefined && count === undefined) return undefined;
  if (index === undefined || count === undefined) throw new CliError('a task needs both --task-index and --task-count');
  const c = intOption(count, 'task-count', { min: 1, max: 10_000 });
  return { index: intOption(index, 'task-index', { min: 0, max: c - 1 }), count: c };
}

export const runIdOf = (f: LoadtestFlags) => f.runId ?? ulid();
export const msOption = ms;
