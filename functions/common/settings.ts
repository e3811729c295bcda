import { z } from 'zod';
import { projectIdOf } from '../../shared/basics/project-id';
import { OptionsError } from '../../shared/contracts/validation-error';
import { ACCESS_MODES, type AccessMode } from '../dashboard/access-policy';
import { CALL_WATCH_DEFAULTS } from './call-watch';

/**
 * Every environment variable the functions read, declared once with its default and validator and
 * read once per process, so a bad value stops the function when it starts, naming the variable.
 * SMTP settings live in alerts/smtp-settings.ts: they are read at the first send on purpose, so a
 * bad one fails sends (retried, then dead-lettered with the reason) instead of the function.
 */
export interface FunctionSettings {
  /** GOOGLE_CLOUD_PROJECT, else GCLOUD_PROJECT; undefined when neither is set. */
  projectId: string | undefined;
  /** FUNCTION_TARGET: the function functions-framework serves in this process (Cloud Functions and bin/stack set it). */
  functionTarget: string | undefined;
  /** How long an instance keeps an operator config (budgets, rules, ban policy, routing) before reading it again. */
  configCacheMilliseconds: number;
  /** Interval of the `throughput` log line; 0 turns it off. */
  statsIntervalMilliseconds: number;
  /** A Firestore or Pub/Sub call running longer than this is logged as slow (functions/common/call-watch.ts). */
  slowCallMilliseconds: number;
  /** Share of handler calls failing on purpose (reliability tests), 0..1. */
  faultRate: number;
  monitoring: {
    /** `host:port` of a plaintext Cloud Monitoring endpoint (a local server). */
    endpoint: string | undefined;
    /** Whether metric-evaluator exports settled minutes to Cloud Monitoring. */
    exportEnabled: boolean;
  };
  dashboard: {
    access: AccessMode;
    /** HMAC key of the CSRF tokens (CsrfTokens checks its length); undefined: random per process. */
    csrfSecret: string | undefined;
    /** Who acts when a request carries no identity (the local stack). */
    localUser: string;
  };
}

export const SETTINGS_DEFAULTS = {
  // A used config is read again when this expires (cached-config.ts), so it bounds how long an
  // instance acts on a replaced one: a change is acted on within this plus one evaluation. Two
  // reads per interval per busy instance and config.
  configCacheMilliseconds: 2_000,
  // One line a minute per instance shows whether batching works without flooding the logs.
  statsIntervalMilliseconds: 60_000,
  // The call watch's own default: seconds, where healthy calls take tens of milliseconds.
  slowCallMilliseconds: CALL_WATCH_DEFAULTS.slowMilliseconds,
  // Fault injection is for reliability tests only.
  faultRate: 0,
  // `$USER` is unset in some containers; the dashboard still needs a name for its records.
  localUser: 'local',
} as const;

const integerFrom = (min: number, what: string) =>
  z.string().transform((raw, ctx) => {
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min) return value;
    ctx.addIssue({ code: 'custom', message: `must be ${what}, got '${raw}'` });
    return z.NEVER;
  });

const share = z.string().transform((raw, ctx) => {
  const value = Number(raw);
  if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
  ctx.addIssue({ code: 'custom', message: `must be between 0 and 1, got '${raw}'` });
  return z.NEVER;
});

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((raw, ctx) => {
    if ((values as readonly string[]).includes(raw)) return raw as T[number];
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}, got '${raw}'` });
    return z.NEVER;
  });

const text = z.string().optional();

// Blank values are removed before parsing (an empty variable means unset); the others are kept
// as given, a secret's spaces included.
const envSchema = z
  .object({
    GOOGLE_CLOUD_PROJECT: text,
    GCLOUD_PROJECT: text,
    FUNCTION_TARGET: text,
    GOVERNOR_CONFIG_CACHE_MILLISECONDS: integerFrom(0, 'a non-negative integer').default(SETTINGS_DEFAULTS.configCacheMilliseconds),
    GOVERNOR_STATS_INTERVAL_MILLISECONDS: integerFrom(0, 'a non-negative integer (0 turns the line off)').default(SETTINGS_DEFAULTS.statsIntervalMilliseconds),
    GOVERNOR_SLOW_CALL_MILLISECONDS: integerFrom(1, 'a positive integer').default(SETTINGS_DEFAULTS.slowCallMilliseconds),
    GOVERNOR_FAULT_RATE: share.default(SETTINGS_DEFAULTS.faultRate),
    // Only `off` means something: it turns the export off even where it would run.
    GOVERNOR_MONITORING_EXPORT: text,
    GOVERNOR_MONITORING_ENDPOINT: text,
    FIRESTORE_EMULATOR_HOST: text,
    GOVERNOR_DASHBOARD_ACCESS: z.string().trim().pipe(oneOf(ACCESS_MODES)).optional(),
    GOVERNOR_DASHBOARD_CSRF_SECRET: text,
    // Cloud Run sets it in every service: the dashboard is behind IAM there.
    K_SERVICE: text,
    USER: text,
  })
  .superRefine((e, ctx) => {
    // A fault rate left on must not reach a real project.
    if (e.GOVERNOR_FAULT_RATE > 0 && !(projectIdOf(e) ?? '').startsWith('demo-')) {
      ctx.addIssue({ code: 'custom', path: ['GOVERNOR_FAULT_RATE'], message: 'is only allowed in a demo- project' });
    }
  });

type EnvVariable = keyof z.input<typeof envSchema>;
const VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];

/** Parses the settings from an environment; throws an `OptionsError` naming each bad variable. */
export function readSettings(env: NodeJS.ProcessEnv): FunctionSettings {
  const given = Object.fromEntries(VARIABLES.flatMap((name) => (env[name]?.trim() ? [[name, env[name]]] : [])));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  const e = parsed.data;
  return {
    projectId: projectIdOf(e),
    functionTarget: e.FUNCTION_TARGET,
    configCacheMilliseconds: e.GOVERNOR_CONFIG_CACHE_MILLISECONDS,
    statsIntervalMilliseconds: e.GOVERNOR_STATS_INTERVAL_MILLISECONDS,
    slowCallMilliseconds: e.GOVERNOR_SLOW_CALL_MILLISECONDS,
    faultRate: e.GOVERNOR_FAULT_RATE,
    monitoring: {
      endpoint: e.GOVERNOR_MONITORING_ENDPOINT,
      // On in production; with emulators only when a local Cloud Monitoring endpoint is given.
      exportEnabled: e.GOVERNOR_MONITORING_EXPORT !== 'off' && (e.GOVERNOR_MONITORING_ENDPOINT !== undefined || e.FIRESTORE_EMULATOR_HOST === undefined),
    },
    dashboard: {
      access: e.GOVERNOR_DASHBOARD_ACCESS ?? (e.K_SERVICE ? 'iam' : 'loopback'),
      csrfSecret: e.GOVERNOR_DASHBOARD_CSRF_SECRET,
      localUser: e.USER ?? SETTINGS_DEFAULTS.localUser,
    },
  };
}

let current: FunctionSettings | undefined;

/** This process's settings, read from its environment on first use. */
export function settings(): FunctionSettings {
  current ??= readSettings(process.env);
  return current;
}

/** The project the function runs in; functions-framework and Cloud Run both set it. */
export function projectId(): string {
  const id = settings().projectId;
  if (!id) throw new Error('GOOGLE_CLOUD_PROJECT is not set');
  return id;
}
