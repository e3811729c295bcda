import { z } from 'zod';

/** Most tags one event may carry: each tag is a scope an event is counted (and throttled) under. */
export const MAX_ATTRIBUTION_TAGS = 8;

/**
 * A team, tenant or tag name: what a Firestore document id, a log field and a CLI argument carry
 * verbatim (no `/`, no spaces), short enough to key a counter.
 */
export const scopeNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits and . _ - only, starting with a letter or digit');

/** Who a cost is attributed to beyond its agent (`source`): budgets per team, tenant and tag count it. */
export const attributionSchema = z.strictObject({
  team: scopeNameSchema.optional(),
  tenant: scopeNameSchema.optional(),
  tags: z
    .array(scopeNameSchema)
    .max(MAX_ATTRIBUTION_TAGS, `at most ${MAX_ATTRIBUTION_TAGS} tags`)
    .refine((tags) => new Set(tags).size === tags.length, 'tags must be distinct')
    .optional(),
});
export type Attribution = z.infer<typeof attributionSchema>;
