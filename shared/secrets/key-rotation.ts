import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { FieldValue, Timestamp, type DocumentReference, type Firestore } from '@google-cloud/firestore';
import crc32c from 'crc-32/crc32c';
import type { Logger } from '../logging/logger';
import { COLLECTIONS } from '../basics/collections';
import { generateApiKey } from './api-key';
import { planRotation, type RotationPlan, type RotationSettings, type VersionInfo, type VersionState } from './rotation-policy';
import { secretName, versionName, versionNumberOf } from './secret-manager-client';

/** One rotator per secret at a time; a crashed one's lease lapses after this. */
export const ROTATION_LEASE_MILLISECONDS = 60_000;
/** A forced rotation (operator, Secret Manager notification) is skipped if a version is younger than this. */
export const MIN_FORCED_INTERVAL_MILLISECONDS = 60_000;

export interface RotationDeps {
  client: SecretManagerServiceClient;
  db: Firestore;
  projectId: string;
  now: () => Date;
  log: Logger;
  /** Publishes the API_KEY_ROTATION security event (public key id and version only). */
  announce: (rotation: { secret: string; version: number; keyId: string; previousVersion: number | undefined; reason: string }) => Promise<void>;
  /** Tests: a crash after a step (`after-add`, `after-disable`). */
  crashAfter?: (step: 'after-add' | 'after-disable') => void;
  timeoutMilliseconds?: number;
}

/** The rotator's document per secret. */
interface RotationState {
  leaseUntil?: number;
  announcedVersion?: number;
  pending?: { keyId: string; at: number; previousVersion: number | null; reason: string };
}

async function announce(
  deps: RotationDeps,
  ref: DocumentReference,
  rotation: { secret: string; version: number; keyId: string; previousVersion: number | null | undefined; reason: string },
): Promise<void> {
  await deps.announce({ ...rotation, previousVersion: rotation.previousVersion ?? undefined });
  await ref.set({ announcedVersion: rotation.version, pending: FieldValue.delete() }, { merge: true });
}

export type RotationOutcome =
  | { status: 'busy' }
  | { status: 'done'; rotated: boolean; newVersion?: number; keyId?: string; disabled: number[]; destroyed: number[]; nextRotationAt: number | undefined };

const timestampMillis = (t: { seconds?: unknown; nanos?: unknown } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor(Number(t?.nanos ?? 0) / 1e6);

export async function listVersions(client: SecretManagerServiceClient, projectId: string, secret: string, timeout = 20_000): Promise<VersionInfo[]> {
  const [versions] = await client.listSecretVersions({ parent: secretName(projectId, secret) }, { timeout, autoPaginate: true });
  return versions.map((v) => ({ number: versionNumberOf(v.name), state: String(v.state) as VersionState, createTime: timestampMillis(v.createTime as never) }));
}

/**
 * Rotates one secret, if due, and retires old versions: adds a new API key version, keeps the
 * previous one enabled for the grace window, disables older ones, destroys what is beyond the
 * retention count. A Firestore lease makes concurrent triggers rotate once; each step is planned
 * again from Secret Manager's state, so a run that crashed part-way is completed by the next one.
 */
export async function rotateSecret(deps: RotationDeps, secret: string, settings: RotationSettings, options: { force?: boolean; reason: string }): Promise<RotationOutcome> {
  const { client, db, projectId, log } = deps;
  const timeout = deps.timeoutMilliseconds ?? 20_000;
  const ref = db.collection(COLLECTIONS.keyRotations).doc(secret);
  const now = deps.now();
  const leased = await db.runTransaction(async (tx) => {
    const state = (await tx.get(ref)).data() as RotationState | undefined;
    if ((state?.leaseUntil ?? 0) > now.getTime()) return undefined;
    tx.set(ref, { secret, leaseUntil: now.getTime() + ROTATION_LEASE_MILLISECONDS }, { merge: true });
    return state ?? {};
  });
  if (!leased) return { status: 'busy' };

  try {
    let versions = await listVersions(client, projectId, secret, timeout);
    let plan: RotationPlan = planRotation(versions, settings, now.getTime(), { force: options.force, minIntervalMilliseconds: MIN_FORCED_INTERVAL_MILLISECONDS });
    let newVersion: number | undefined;
    let keyId: string | undefined;
    const newest = () => versions.filter((v) => v.state !== 'DESTROYED').sort((a, b) => b.number - a.number)[0];
    // A run that added a version and crashed before announcing it: announce it now.
    const pending = leased.pending;
    if (pending && (newest()?.createTime ?? 0) >= pending.at && (newest()?.number ?? 0) > (leased.announcedVersion ?? 0)) {
      await announce(deps, ref, { secret, version: newest()!.number, keyId: pending.keyId, previousVersion: pending.previousVersion, reason: `${pending.reason} (completed)` });
    }
    if (plan.rotate) {
      const previousVersion = versions.filter((v) => v.state === 'ENABLED').sort((a, b) => b.number - a.number)[0]?.number;
      const apiKey = generateApiKey();
      // The public id is written first, so a crash right after the add can still be announced.
      await ref.set({ pending: { keyId: apiKey.keyId, at: deps.now().getTime() - 1000, previousVersion: previousVersion ?? null, reason: options.reason } }, { merge: true });
      const data = Buffer.from(apiKey.key);
      const [added] = await client.addSecretVersion({ parent: secretName(projectId, secret), payload: { data, dataCrc32c: crc32c.buf(data) >>> 0 } }, { timeout });
      newVersion = versionNumberOf(added.name);
      keyId = apiKey.keyId;
      log.info({ secretName: secret, version: newVersion, keyId, reason: options.reason }, 'secret rotated: new version added');
      deps.crashAfter?.('after-add');
      await announce(deps, ref, { secret, version: newVersion, keyId, previousVersion, reason: options.reason });
      versions = await listVersions(client, projectId, secret, timeout);
      plan = planRotation(versions, settings, deps.now().getTime());
    }
    for (const number of plan.disable) {
      await client.disableSecretVersion({ name: versionName(projectId, secret, number) }, { timeout });
      deps.crashAfter?.('after-disable');
    }
    for (const number of plan.destroy) {
      await client.destroySecretVersion({ name: versionName(projectId, secret, number) }, { timeout });
    }
    if (plan.disable.length + plan.destroy.length > 0) log.info({ secretName: secret, disabled: plan.disable, destroyed: plan.destroy }, 'old secret versions retired');
    await ref.set(
      {
        ...(newVersion !== undefined ? { lastRotatedAt: Timestamp.fromDate(now), lastVersion: newVersion, lastKeyId: keyId, lastReason: options.reason } : {}),
        nextRotationAt: plan.nextRotationAt === undefined ? null : Timestamp.fromMillis(plan.nextRotationAt),
        checkedAt: FieldValue.serverTimestamp(),
      },
      { merge: true },
    );
    return { status: 'done', rotated: newVersion !== undefined, newVersion, keyId, disabled: plan.disable, destroyed: plan.destroy, nextRotationAt: plan.nextRotationAt };
  } finally {
    await ref.set({ leaseUntil: 0 }, { merge: true });
  }
}
