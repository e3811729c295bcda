import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { Firestore } from '@google-cloud/firestore';
import { Status } from 'google-gax';
import { listVersions } from '../secrets/key-rotation';
import { planRotation, type RotationSettings, type VersionState } from '../secrets/rotation-policy';
import { loadRotationConfig } from '../store/rotation-config-store';

/** One configured secret as operators see it: its versions and when it rotates next. */
export interface SecretRotationStatus {
  secret: string;
  settings: RotationSettings;
  versions: { version: number; state: VersionState; createdAt: string; ageHours: number }[];
  /** ISO time of the next scheduled rotation; null when one is due now. */
  nextRotationAt: string | null;
  due: boolean;
  /** Set when the secret cannot be read: it is configured here but missing from Secret Manager. */
  problem?: string;
}

/** Versions (state, age) and next rotation of every secret with rotation settings (`keys status`, the dashboard). */
export async function keyRotationStatus(client: SecretManagerServiceClient, db: Firestore, projectId: string, now: number = Date.now()): Promise<SecretRotationStatus[]> {
  const config = (await loadRotationConfig(db)).config;
  return Promise.all(
    Object.entries(config.secrets).map(async ([secret, settings]) => {
      const versions = await listVersions(client, projectId, secret).catch((error: unknown) => {
        if ((error as { code?: number }).code === Status.NOT_FOUND) return undefined;
        throw error;
      });
      // One configured secret missing from Secret Manager must not hide the others' status.
      if (versions === undefined) {
        const problem = `secret ${secret} does not exist in project ${projectId}: create it (gcloud secrets create ${secret}) or remove its rotation settings; rotation fails until then`;
        return { secret, settings, versions: [], nextRotationAt: null, due: false, problem };
      }
      const plan = planRotation(versions, settings, now);
      return {
        secret,
        settings,
        versions: versions.map((v) => ({ version: v.number, state: v.state, createdAt: new Date(v.createTime).toISOString(), ageHours: +((now - v.createTime) / 3_600_000).toFixed(3) })),
        nextRotationAt: plan.nextRotationAt === undefined ? null : new Date(plan.nextRotationAt).toISOString(),
        due: plan.rotate,
      };
    }),
  );
}
