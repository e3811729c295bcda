import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';
import { secretIdSchema } from './secret-id';

export const rotationSettingsSchema = z
  .strictObject({
    /** Rotate when the newest version is this old. */
    periodHours: z.number().positive(),
    /** Keep the previous version enabled this long after its successor, so holders can switch. */
    graceHours: z.number().nonnegative(),
    /** Versions kept (not destroyed), newest first; at least the current and the previous. */
    retention: z.number().int().min(2),
  })
  .refine((s) => s.graceHours < s.periodHours, { path: ['graceHours'], message: 'the grace window must be shorter than the rotation period' });
export type RotationSettings = z.infer<typeof rotationSettingsSchema>;

export const rotationConfigSchema = z.strictObject({ secrets: z.record(secretIdSchema, rotationSettingsSchema) });
export type RotationConfig = z.infer<typeof rotationConfigSchema>;

/** No secret is rotated until one is configured (`governor keys configure` or the config document). */
export const DEFAULT_ROTATION_CONFIG: RotationConfig = { secrets: {} };

export function parseRotationConfig(value: unknown): RotationConfig {
  const parsed = rotationConfigSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface VersionInfo {
  number: number;
  state: VersionState;
  createTime: number;
}

export interface RotationPlan {
  /** A new version is due. */
  rotate: boolean;
  /** Enabled versions whose grace window is over. */
  disable: number[];
  /** Disabled versions beyond the retention count. */
  destroy: number[];
  /** When the next rotation is due (ms). */
  nextRotationAt: number | undefined;
}

/**
 * What the rotator should do now. The newest enabled version is never disabled, and a version is
 * destroyed only once disabled — so a secret never has zero enabled versions, whatever step a
 * crash interrupts. `force` rotates regardless of age (an operator, or Secret Manager's own
 * rotation notification), unless a version was made within `minIntervalMilliseconds`.
 */
export function planRotation(versions: readonly VersionInfo[], settings: RotationSettings, now: number, options: { force?: boolean; minIntervalMilliseconds?: number } = {}): RotationPlan {
  const live = versions.filter((v) => v.state !== 'DESTROYED').sort((a, b) => b.number - a.number);
  const newest = live[0];
  const period = settings.periodHours * 3_600_000;
  const grace = settings.graceHours * 3_600_000;
  const age = newest ? now - newest.createTime : Number.POSITIVE_INFINITY;
  const rotate = !newest || age >= period || (Boolean(options.force) && age >= (options.minIntervalMilliseconds ?? 0));

  const enabled = live.filter((v) => v.state === 'ENABLED');
  const newestEnabled = enabled[0];
  const disable: number[] = [];
  for (const v of enabled) {
    if (v === newestEnabled) continue;
    // A version stays valid for the grace window after its successor appeared.
    const successor = live.filter((s) => s.number > v.number).at(-1);
    if (successor && now - successor.createTime >= grace) disable.push(v.number);
  }
  const kept = new Set(live.slice(0, settings.retention).map((v) => v.number));
  const destroy = live.filter((v) => !kept.has(v.number) && (v.state === 'DISABLED' || disable.includes(v.number))).map((v) => v.number);
  return { rotate, disable, destroy, nextRotationAt: newest ? newest.createTime + period : undefined };
}
