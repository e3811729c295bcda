import { z } from 'zod';

const callSchema = z.strictObject({ model: z.string().min(1), promptHash: z.string().min(1), calls: z.number().int().nonnegative() });

/**
 * A burn-rate breaker tripped (issue 23): one alert per trip. `shadow`: the rule only records —
 * nothing was paused. Rates in micro-USD per minute.
 */
export const runawayAlertSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** The trip's id: one alert per trip, however often its events were delivered. */
  alertId: z.string().min(1),
  kind: z.literal('runaway'),
  severity: z.enum(['WARNING', 'CRITICAL']),
  shadow: z.boolean(),
  ruleId: z.string().min(1),
  /** The scope instance that tripped (`agent:writer-1`, `team:search`). */
  scope: z.string().min(1),
  reason: z.enum(['rate', 'loop']),
  rateMicrosPerMinute: z.number().int().nonnegative(),
  baselineMicrosPerMinute: z.number().nonnegative(),
  /** `own`, `team:<name>`, `fleet` or `none`: whose history the baseline is. */
  baselineFrom: z.string().min(1),
  floorMicrosPerMinute: z.number().int().positive(),
  multiple: z.number().positive(),
  windowSeconds: z.number().int().positive(),
  topModels: z.array(z.strictObject({ model: z.string().min(1), micros: z.number().int().nonnegative(), calls: z.number().int().nonnegative() })).max(5),
  /** The most repeated (model, prompt hash) pairs: hashes, never prompts. */
  topPrompts: z.array(callSchema).max(5),
  since: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }),
  at: z.iso.datetime({ offset: true }),
});
export type RunawayAlert = z.infer<typeof runawayAlertSchema>;
