import { z } from 'zod';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { secretIdSchema } from '../../../shared/secrets/secret-id';

/** Where alert email goes out, read once from the environment (README: "Alert email"). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  requireTls: boolean;
  user: string | undefined;
  /** The password itself (local development). */
  password: string | undefined;
  /** Secret Manager secret holding the password (production); read at send time, cached. */
  passwordSecret: string | undefined;
  connectionTimeoutMilliseconds: number;
  /** Deadline for each SMTP command once connected. */
  socketTimeoutMilliseconds: number;
}

export const SMTP_DEFAULTS = {
  port: 587,
  connectionTimeoutMilliseconds: 10_000,
  socketTimeoutMilliseconds: 20_000,
} as const;

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const optional = z.string().trim().min(1).optional();

const envSchema = z
  .object({
    SMTP_HOST: z.string({ error: 'is not set (the SMTP server alert email is sent through)' }).trim().min(1, 'is empty'),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(SMTP_DEFAULTS.port),
    SMTP_SECURE: flag.optional(),
    SMTP_REQUIRE_TLS: flag.default(false),
    SMTP_USER: optional,
    SMTP_PASSWORD: optional,
    SMTP_PASSWORD_SECRET: secretIdSchema.optional(),
    SMTP_CONNECTION_TIMEOUT_MILLISECONDS: z.coerce.number().int().positive().default(SMTP_DEFAULTS.connectionTimeoutMilliseconds),
    SMTP_SOCKET_TIMEOUT_MILLISECONDS: z.coerce.number().int().positive().default(SMTP_DEFAULTS.socketTimeoutMilliseconds),
  })
  .refine((e) => !(e.SMTP_PASSWORD && e.SMTP_PASSWORD_SECRET), { message: 'set SMTP_PASSWORD or SMTP_PASSWORD_SECRET, not both', path: ['SMTP_PASSWORD_SECRET'] })
  .refine((e) => !(e.SMTP_PASSWORD || e.SMTP_PASSWORD_SECRET) || e.SMTP_USER, { message: 'a password needs SMTP_USER', path: ['SMTP_USER'] });

/** Reads the SMTP settings; throws an `OptionsError` naming each bad variable. */
export function smtpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SMTP_') && v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  const e = parsed.data;
  return {
    host: e.SMTP_HOST,
    port: e.SMTP_PORT,
    secure: e.SMTP_SECURE ?? e.SMTP_PORT === 465,
    requireTls: e.SMTP_REQUIRE_TLS,
    user: e.SMTP_USER,
    password: e.SMTP_PASSWORD,
    passwordSecret: e.SMTP_PASSWORD_SECRET,
    connectionTimeoutMilliseconds: e.SMTP_CONNECTION_TIMEOUT_MILLISECONDS,
    socketTimeoutMilliseconds: e.SMTP_SOCKET_TIMEOUT_MILLISECONDS,
  };
}
