import { z } from 'zod';
import { METRIC_TYPES, SEVERITIES } from './vocabulary';

/** A performance alert on the alerts topic: raised once per breach, cleared once on recovery. */
export const performanceAlertSchema = z.strictObject({
  schemaVersion: z.literal(1),
  alertId: z.string().min(1),
  kind: z.literal('performance'),
  status: z.enum(['RAISED', 'CLEARED']),
  severity: z.enum(SEVERITIES),
  ruleId: z.string(),
  metric: z.enum(METRIC_TYPES),
  statistic: z.string(),
  comparator: z.enum(['above', 'below']),
  limit: z.number(),
  clearAt: z.number(),
  /** The statistic's value that caused the transition. */
  value: z.number(),
  /** The label values this evaluation covered (empty: the whole fleet). */
  group: z.record(z.string(), z.string()),
  window: z.string(),
  /** When the breach began. */
  since: z.iso.datetime({ offset: true }),
  at: z.iso.datetime({ offset: true }),
});
export type PerformanceAlert = z.infer<typeof performanceAlertSchema>;
