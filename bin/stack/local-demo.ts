import { Firestore } from '@google-cloud/firestore';
import { createLogger } from '../../shared/logging/logger';
import { rotateSecret } from '../../shared/secrets/key-rotation';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadRotationConfig, updateRotationConfig } from '../../shared/store/rotation-config-store';
import type { Stack } from './stack';
import { Status } from 'google-gax';

/** The demo API key `npm start` rotates, on a short period so a rotation shows within minutes. */
export const DEMO_SECRET = 'governor-demo-api-key';
export const DEMO_ROTATION = { periodHours: 10 / 60, graceHours: 5 / 60, retention: 4 } as const;

/**
 * Seeds the local stack with a rotated secret (if none is configured): the secret, its first
 * version and rotation settings of 10 minutes with a 5-minute grace window.
 */
export async function seedLocalDemo(stack: Stack): Promise<string | undefined> {
  // The caller exports the stack's client environment (FIRESTORE_EMULATOR_HOST, …) first.
  const db = new Firestore({ projectId: stack.projectId });
  const client = secretManagerClient(stack.projectId, { GOVERNOR_SECRET_MANAGER_ENDPOINT: stack.secretManagerEndpoint });
  try {
    const loaded = await loadRotationConfig(db);
    if (Object.keys(loaded.config.secrets).length > 0) return undefined;
    await client.createSecret({ parent: `projects/${stack.projectId}`, secretId: DEMO_SECRET, secret: { replication: { automatic: {} } } }).catch((error: { code?: number }) => {
      if (error.code !== Status.ALREADY_EXISTS) throw error;
    });
    await updateRotationConfig(db, (c) => ({ secrets: { ...c.secrets, [DEMO_SECRET]: { ...DEMO_ROTATION } } }));
    await rotateSecret(
      { client, db, projectId: stack.projectId, now: () => new Date(), log: createLogger({ component: 'local-demo', level: 'warn' }), announce: async () => undefined },
      DEMO_SECRET,
      { ...DEMO_ROTATION },
      { reason: 'initial version' },
    );
    return DEMO_SECRET;
  } finally {
    await Promise.allSettled([db.terminate(), client.close()]);
  }
}
