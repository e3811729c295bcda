import { isIP } from 'node:net';
import { z } from 'zod';
import { detectThreats, DETECTION_CONTEXTS, THREAT_RULES, type DetectionContext, type ThreatRule } from './input-rules';

/** A rejected field: where, which rule, why. */
export interface Violation {
  field: string;
  rule: string;
  message: string;
}

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Longest text `safeText` checks unless told otherwise (characters). */
export const DEFAULT_SAFE_TEXT_MAX_LENGTH = 100_000;

/**
 * Text checked by the injection detectors; `rules` narrows them, `maxLength` bounds it, and
 * `context` says where the text goes: `field` (default) for values a program uses, `prose` for
 * free text written to a model (prompts, messages), where only what would execute is refused.
 * The length is checked first and a text over it is refused without decoding or detection: zod
 * runs every refinement even after `.max()` fails, so the bound has to live inside the refinement.
 */
export function safeText(options: { rules?: readonly ThreatRule[]; maxLength?: number; context?: DetectionContext } = {}) {
  const rules = options.rules ?? THREAT_RULES;
  const maxLength = options.maxLength ?? DEFAULT_SAFE_TEXT_MAX_LENGTH;
  const context = options.context ?? 'field';
  if (!DETECTION_CONTEXTS.includes(context)) throw new Error(`safeText: context must be one of ${DETECTION_CONTEXTS.join(', ')}, got "${String(context)}"`);
  const unknown = rules.filter((r) => !THREAT_RULES.includes(r));
  if (unknown.length > 0) throw new Error(`safeText: rules must be among ${THREAT_RULES.join(', ')}, got "${unknown.join('", "')}"`);
  return z
    .string()
    .superRefine((text, ctx) => {
      if (text.length > maxLength) {
        ctx.addIssue({ code: 'too_big', origin: 'string', maximum: maxLength, inclusive: true, input: text, message: `too long: ${text.length} characters, at most ${maxLength}` });
        return;
      }
      for (const threat of detectThreats(text, { rules, context })) {
        ctx.addIssue({ code: 'custom', message: `looks like ${threat.rule} (${threat.pattern})`, params: { rule: threat.rule } });
      }
    });
}

export function emailAddress() {
  return z
    .string()
    .max(254)
    .refine((v) => EMAIL.test(v), { message: 'not an e-mail address', params: { rule: 'email' } });
}

/** An absolute URL whose scheme is allowed (default https only) and host is not an IP literal unless allowed. */
export function safeUrl(options: { schemes?: readonly string[]; allowIpHosts?: boolean } = {}) {
  const schemes = (options.schemes ?? ['https']).map((s) => s.replace(/:$/, '').toLowerCase());
  return z.string().max(2048).superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not an absolute URL', params: { rule: 'url' } });
      return;
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!schemes.includes(scheme)) {
      ctx.addIssue({ code: 'custom', message: `scheme "${scheme}" is not allowed (${schemes.join(', ')})`, params: { rule: 'url-scheme' } });
    }
    if (!options.allowIpHosts && isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) {
      ctx.addIssue({ code: 'custom', message: 'an IP address as host is not allowed', params: { rule: 'url-host' } });
    }
  });
}

/** Letters, digits, `_` and `-` only (ids, slugs). */
export function alphanumericId(options: { maxLength?: number } = {}) {
  return z
    .string()
    .min(1)
    .max(options.maxLength ?? 128)
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v), { message: 'only letters, digits, _ and -', params: { rule: 'alphanumeric' } });
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

/**
 * Validates a request body in one call: structure by the zod schema, content by the detectors
 * inside it. Every violation names the field (dotted path) and the rule that refused it.
 */
export function validateRequest<T>(schema: z.ZodType<T>, body: unknown): ValidationResult<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    violations: parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      rule: ((issue as { params?: { rule?: string } }).params?.rule ?? issue.code) as string,
      message: issue.message,
    })),
  };
}
