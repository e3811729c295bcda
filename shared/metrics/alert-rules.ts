import { z } from 'zod';
import { METRIC_TYPES, SEVERITIES } from '../contracts/vocabulary';
import { OptionsError } from '../contracts/validation-error';
import { windowMilliseconds } from './windows';

export const STATISTICS = ['mean', 'median', 'p95', 'p99', 'min', 'max'] as const;
export type StatisticName = (typeof STATISTICS)[number];

export const alertRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and -, at most 40'),
    metric: z.enum(METRIC_TYPES),
    statistic: z.enum(STATISTICS),
    /** `above`: breached when the statistic exceeds the limit; `below`: when it falls under it. */
    comparator: z.enum(['above', 'below']),
    limit: z.number().finite(),
    /**
     * Hysteresis: a breach clears only past limit × clearFactor (`above`) or limit ÷ clearFactor
     * (`below`), so a value hovering at the limit does not raise and clear on every evaluation.
     */
    clearFactor: z.number().gt(0).max(1).default(0.9),
    severity: z.enum(SEVERITIES),
    /** Statistics window, e.g. 5m. */
    window: z.string().refine((w) => {
      try {
        return windowMilliseconds(w) <= 7 * 86_400_000;
      } catch {
        return false;
      }
    }, 'a window such as 5m, 1h or 24h (at most 7d)').default('5m'),
    /** Labels to evaluate separately (e.g. per operation); empty = the whole fleet. */
    groupBy: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/)).max(4).default([]),
    /** Fewer samples than this in the window: no judgement, the state stays as it was. */
    minCount: z.number().int().positive().default(1),
  })
  .refine((r) => !(r.comparator === 'below' && r.limit <= 0), { path: ['limit'], message: 'a below-limit must be positive' });
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesSchema = z
  .array(alertRuleSchema)
  .superRefine((rules, ctx) => {
    const ids = new Set<string>();
    for (const [i, r] of rules.entries()) {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id "${r.id}"` });
      ids.add(r.id);
    }
  });

/** The seed's thresholds. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = alertRulesSchema.parse([
  { id: 'latency-mean', metric: 'LATENCY', statistic: 'mean', comparator: 'above', limit: 200, severity: 'WARNING', groupBy: ['operation'] },
  { id: 'latency-p95', metric: 'LATENCY', statistic: 'p95', comparator: 'above', limit: 500, severity: 'CRITICAL', groupBy: ['operation'] },
  { id: 'error-rate', metric: 'ERROR_RATE', statistic: 'mean', comparator: 'above', limit: 5, severity: 'WARNING', groupBy: ['operation'] },
  { id: 'cpu', metric: 'CPU_USAGE', statistic: 'mean', comparator: 'above', limit: 80, severity: 'WARNING', groupBy: ['agent', 'scope'] },
  { id: 'memory', metric: 'MEMORY_USAGE', statistic: 'mean', comparator: 'above', limit: 85, severity: 'WARNING', groupBy: ['agent', 'scope'] },
  { id: 'cache-hit-rate', metric: 'CACHE_HIT_RATE', statistic: 'mean', comparator: 'below', limit: 60, severity: 'WARNING', groupBy: [] },
]);

export function parseAlertRules(value: unknown): AlertRule[] {
  const parsed = alertRulesSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

/** Where a breach clears. */
export function clearAtOf(rule: AlertRule): number {
  return rule.comparator === 'above' ? rule.limit * rule.clearFactor : rule.limit / rule.clearFactor;
}
