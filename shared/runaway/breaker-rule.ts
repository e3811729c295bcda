import { z } from 'zod';
import { formatScope, parseScope } from '../budget/scope';
import { OptionsError } from '../contracts/validation-error';

/** Every default of a breaker rule, with why. */
export const BREAKER_DEFAULTS = {
  // Every agent gets its own breaker without being listed.
  scope: 'agent:*',
  // 10× its usual rate: far above normal jitter (bench:runaway's fleet never passes 3×).
  multiple: 10,
  // A minute: long enough to smooth one expensive call, short enough to stop a loop in seconds.
  windowSeconds: 60,
  cooldownMinutes: 15,
  // The same (model, prompt hash) more than 20 times a minute is a loop, not a retry.
  loopRepeats: 20,
  loopWindowSeconds: 60,
  shadow: false,
} as const;

const ruleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and -, at most 48');

const scopeSchema = z.string().transform((text, ctx) => {
  try {
    return formatScope(parseScope(text));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * A burn-rate breaker: trips a scope instance when its spend over `windowSeconds` is above
 * `floorMicrosPerMinute` and above `multiple` × its baseline, or when it repeats one (model,
 * prompt hash) more than `loopRepeats` times in `loopWindowSeconds`. `shadow`: record, never pause.
 */
export const breakerRuleSchema = z.strictObject({
  id: ruleIdSchema,
  scope: scopeSchema.default(BREAKER_DEFAULTS.scope),
  /** The rate (micro-USD per minute) under which the breaker never trips on rate, whatever the baseline. */
  floorMicrosPerMinute: z.number().int().positive().max(1_000_000_000_000),
  multiple: z.number().min(1).max(10_000).default(BREAKER_DEFAULTS.multiple),
  windowSeconds: z.number().int().min(10).max(3_600).default(BREAKER_DEFAULTS.windowSeconds),
  cooldownMinutes: z.number().int().min(1).max(10_080).default(BREAKER_DEFAULTS.cooldownMinutes),
  /** More than this many calls with one (model, prompt hash) in `loopWindowSeconds` is a loop; 0: no loop detection. */
  loopRepeats: z.number().int().min(0).max(1_000_000).default(BREAKER_DEFAULTS.loopRepeats),
  loopWindowSeconds: z.number().int().min(10).max(3_600).default(BREAKER_DEFAULTS.loopWindowSeconds),
  shadow: z.boolean().default(BREAKER_DEFAULTS.shadow),
});
export type BreakerRule = z.infer<typeof breakerRuleSchema>;
export type BreakerRuleInput = z.input<typeof breakerRuleSchema>;

/** The operator's breaker rules (`governor_config/breakers`). */
export const breakerConfigSchema = z
  .strictObject({ rules: z.array(breakerRuleSchema).max(100) })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `"${r.id}" is used twice` });
      seen.add(r.id);
    });
  });
export type BreakerConfig = z.infer<typeof breakerConfigSchema>;

/** No rules: nothing is watched until an operator sets one. */
export const DEFAULT_BREAKER_CONFIG: BreakerConfig = { rules: [] };

/** Validates a stored or proposed breaker config; throws OptionsError naming the field. */
export function parseBreakerConfig(value: unknown): BreakerConfig {
  const parsed = breakerConfigSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

/** `agent:*` → `agent-all`; `team:search` → `team-search`: the id `breaker set` gives a rule. */
export function defaultRuleId(scope: string): string {
  const parsed = parseScope(scope);
  const raw = parsed.kind === 'fleet' ? 'fleet' : `${parsed.kind}-${parsed.name === '*' ? 'all' : parsed.name}`;
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'breaker';
}
