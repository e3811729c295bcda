import { z } from 'zod';

/** A model used without a price: its spend is charged provisionally until an operator adds one. Once per model and UTC day. */
export const pricingAlertSchema = z.strictObject({
  schemaVersion: z.literal(1),
  alertId: z.string().min(1),
  kind: z.literal('pricing'),
  status: z.literal('UNPRICED_MODEL'),
  severity: z.literal('WARNING'),
  model: z.string().min(1),
  /** The price entry the usage is charged at meanwhile, `model@effectiveFrom`. */
  chargedAs: z.string().min(1),
  /** UTC day (YYYY-MM-DD) the alert covers. */
  day: z.iso.date(),
  at: z.iso.datetime({ offset: true }),
});
export type PricingAlert = z.infer<typeof pricingAlertSchema>;

/** The alert of a model on a day: one id, so the alert is raised once. */
export function unpricedAlertIdOf(model: string, day: string): string {
  return `unpriced_${encodeURIComponent(model)}_${day}`;
}
