import { z } from 'zod';
import { SUBJECT_TYPES } from './vocabulary';

/** A ban on the alerts topic: who, how long, why. */
export const securityAlertSchema = z.strictObject({
  schemaVersion: z.literal(1),
  alertId: z.string().min(1),
  kind: z.literal('security'),
  status: z.literal('BANNED'),
  severity: z.enum(['WARNING', 'CRITICAL']),
  subjectType: z.enum(SUBJECT_TYPES),
  subject: z.string(),
  level: z.enum(['ban', 'recidive']),
  offense: z.number().int().positive(),
  until: z.iso.datetime({ offset: true }),
  reason: z.string(),
  at: z.iso.datetime({ offset: true }),
});
export type SecurityAlert = z.infer<typeof securityAlertSchema>;
