import pino, { type Logger } from 'pino';

/** pino level → Cloud Logging `severity`, so log-based alerting and filters work unchanged. */
const SEVERITY_BY_LEVEL: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** Field names whose values never reach a log line (keys, secrets, credentials). */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'payload.data',
];

export interface LoggerOptions {
  /** Component name, emitted as `component`. */
  component: string;
  /** pino level; default `LOG_LEVEL` or `info`. */
  level?: string;
  /** Destination stream; default stdout. */
  destination?: pino.DestinationStream;
}

/** A JSON logger whose lines Cloud Logging parses: `severity`, `message`, `time` (RFC 3339). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      messageKey: 'message',
      base: { component: options.component },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ severity: SEVERITY_BY_LEVEL[label] ?? 'DEFAULT' }),
      },
    },
    options.destination,
  );
}

export type { Logger };
