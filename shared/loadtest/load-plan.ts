import { PROFILES, isProfileName, PROFILE_NAMES, type Stage } from './profiles';

export const EXECUTOR_MODELS = ['open', 'closed'] as const;
/** `open`: requests arrive at a rate whatever the target does (k6 arrival-rate); `closed`: users wait for each answer. */
export type ExecutorModel = (typeof EXECUTOR_MODELS)[number];

export class LoadPlanError extends Error {
  override readonly name = 'LoadPlanError';
}

/** A run's schedule: stages and how users become requests. */
export interface LoadPlan {
  profile: string;
  model: ExecutorModel;
  stages: Stage[];
  /** Requests per second per user in the open model. */
  ratePerUser: number;
  /** Hard cap on requests started; the run stops there even if stages remain. */
  maxRequests: number;
}

export interface LoadPlanOptions {
  model?: ExecutorModel;
  /** Replaces the profile's stages, e.g. `10:30s,50:1m`. */
  stages?: string;
  /** Peak requests/s (open) or users (closed); other stages scale in proportion. */
  peak?: number;
  /** Total duration in seconds; stage durations scale in proportion. */
  durationSeconds?: number;
  /** Multiplies every stage's duration (≥ 1 s each): `--quick` tries a profile in seconds. */
  quickFactor?: number;
  ratePerUser?: number;
  maxRequests?: number;
}

export const LOAD_PLAN_DEFAULTS = {
  model: 'open' as ExecutorModel,
  // One request per user per second: a user with a second of think time between answers.
  ratePerUser: 1,
  // `--quick` without a value: baseline in 3 s, stress in 15 s, scalability in 7 s, endurance in 3 min.
  quickFactor: 0.05,
  // No run starts more than this many requests, whatever its stages say.
  maxRequests: 5_000_000,
  // Longest run accepted: the seed's endurance profile plus headroom.
  maxDurationSeconds: 6 * 3600,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** `30s`, `2m`, `1h`, `500ms` or plain seconds → seconds. */
export function parseDurationSeconds(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new LoadPlanError(`"${text}" is not a duration (e.g. 30s, 2m, 1h)`);
  return Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
}

/** `users:duration` pairs separated by commas, e.g. `10:30s,50:1m`. */
export function parseStages(text: string): Stage[] {
  const stages = text.split(',').map((part) => {
    const [users, duration, ...rest] = part.trim().split(':');
    if (users === undefined || duration === undefined || rest.length > 0) throw new LoadPlanError(`stage "${part}" must be users:duration, e.g. 10:30s`);
    const n = Number(users);
    if (!Number.isFinite(n) || n <= 0) throw new LoadPlanError(`stage "${part}": users must be a positive number`);
    return { users: n, durationSeconds: parseDurationSeconds(duration) };
  });
  return stages;
}

/** The profile's stages with every override applied, validated. */
export function resolveLoadPlan(profile: string, options: LoadPlanOptions = {}): LoadPlan {
  const model = options.model ?? LOAD_PLAN_DEFAULTS.model;
  if (!(EXECUTOR_MODELS as readonly string[]).includes(model)) throw new LoadPlanError(`model must be one of ${EXECUTOR_MODELS.join(', ')}`);
  let stages: Stage[];
  if (options.stages !== undefined) stages = parseStages(options.stages);
  else if (isProfileName(profile)) stages = PROFILES[profile].stages.map((s) => ({ ...s }));
  else throw new LoadPlanError(`"${profile}" is not a profile: ${PROFILE_NAMES.join(', ')} (or give --stages)`);

  const ratePerUser = options.ratePerUser ?? LOAD_PLAN_DEFAULTS.ratePerUser;
  if (!(ratePerUser > 0) || !Number.isFinite(ratePerUser)) throw new LoadPlanError('rate per user must be a positive number');
  if (options.peak !== undefined) {
    if (!(options.peak > 0) || !Number.isFinite(options.peak)) throw new LoadPlanError('--rate/--vus must be a positive number');
    // The peak is given in requests/s (open) or users (closed); users follow.
    const peakUsers = model === 'open' ? options.peak / ratePerUser : options.peak;
    const max = Math.max(...stages.map((s) => s.users));
    stages = stages.map((s) => ({ ...s, users: (s.users * peakUsers) / max }));
  }
  if (options.durationSeconds !== undefined) {
    if (!(options.durationSeconds > 0)) throw new LoadPlanError('--duration must be positive');
    const total = stages.reduce((t, s) => t + s.durationSeconds, 0);
    stages = stages.map((s) => ({ ...s, durationSeconds: (s.durationSeconds * options.durationSeconds!) / total }));
  }
  if (options.quickFactor !== undefined) {
    if (!(options.quickFactor > 0 && options.quickFactor <= 1)) throw new LoadPlanError('--quick factor must be in (0, 1]');
    stages = stages.map((s) => ({ ...s, durationSeconds: Math.max(1, s.durationSeconds * options.quickFactor!) }));
  }
  if (model === 'closed') stages = stages.map((s) => ({ ...s, users: Math.max(1, Math.round(s.users)) }));
  for (const s of stages) {
    if (!(s.durationSeconds > 0) || !Number.isFinite(s.durationSeconds)) throw new LoadPlanError('every stage needs a positive duration');
  }
  const total = stages.reduce((t, s) => t + s.durationSeconds, 0);
  if (total > LOAD_PLAN_DEFAULTS.maxDurationSeconds) throw new LoadPlanError(`a run lasts at most ${LOAD_PLAN_DEFAULTS.maxDurationSeconds} s; this one would last ${total} s`);
  const maxRequests = options.maxRequests ?? LOAD_PLAN_DEFAULTS.maxRequests;
  if (!Number.isSafeInteger(maxRequests) || maxRequests <= 0) throw new LoadPlanError('--max-requests must be a positive integer');
  return { profile: options.stages !== undefined && !isProfileName(profile) ? 'custom' : profile, model, stages, ratePerUser, maxRequests };
}

/** Planned duration of the whole run, in milliseconds. */
export function planDurationMilliseconds(plan: LoadPlan): number {
  return plan.stages.reduce((t, s) => t + s.durationSeconds * 1000, 0);
}

/** Requests/s a stage offers in the open model. */
export function stageRate(plan: LoadPlan, stage: Stage): number {
  return stage.users * plan.ratePerUser;
}
