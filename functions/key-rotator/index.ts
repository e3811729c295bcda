import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { rotateSecret, type RotationDeps } from '../../shared/secrets/key-rotation';
import { rotationAnnouncer } from '../../shared/secrets/rotation-event';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadRotationConfig } from '../../shared/store/rotation-config-store';
import { loadTopology } from '../../shared/topology/topology';
import { firestore, pubsub } from '../common/clients';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { projectId } from '../common/settings';
import { decodeRotationTrigger } from './rotation-trigger';

/**
 * Rotates API keys in Secret Manager: on the scheduled tick, every configured secret that is due;
 * on Secret Manager's SECRET_ROTATE notification, that secret. Idempotent under repeated and
 * concurrent triggers (a lease per secret, and each step planned from Secret Manager's state).
 */
export function createKeyRotator(): HttpFunction {
  const log = createLogger({ component: 'key-rotator' });
  const securityTopic = loadTopology().topics.security;
  let client: ReturnType<typeof secretManagerClient> | undefined;

  return pubsubConsumer({
    target: 'keyRotator',
    decode: decodeRotationTrigger,
    async handle(trigger, message) {
      const loaded = await loadRotationConfig(firestore());
      if (loaded.rejected) log.error({ reason: loaded.rejected, using: loaded.origin }, 'stored rotation config is invalid; the last good config stays in force');
      client ??= secretManagerClient(projectId());
      const deps: RotationDeps = { client, db: firestore(), projectId: projectId(), now: () => new Date(), log, announce: rotationAnnouncer(pubsub(), securityTopic, 'governor-key-rotator') };
      const configured = loaded.config.secrets;
      let targets: { secret: string; force: boolean; reason: string }[];
      if (trigger.kind === 'secret-manager') {
        if (trigger.eventType !== 'SECRET_ROTATE') {
          log.debug({ eventType: trigger.eventType, secretName: trigger.secret }, 'Secret Manager notification ignored');
          return;
        }
        if (!configured[trigger.secret]) {
          log.warn({ secretName: trigger.secret }, 'SECRET_ROTATE for a secret without rotation settings; ignored (configure it with `governor keys configure`)');
          return;
        }
        targets = [{ secret: trigger.secret, force: true, reason: 'Secret Manager rotation notification' }];
      } else {
        const names = trigger.secrets ?? Object.keys(configured);
        const unknown = names.filter((n) => !configured[n]);
        if (unknown.length > 0) log.warn({ secretNames: unknown }, 'rotation requested for secrets without settings; ignored');
        targets = names.filter((n) => configured[n]).map((secret) => ({ secret, force: trigger.force, reason: trigger.force ? 'forced' : 'schedule' }));
      }
      for (const t of targets) {
        const outcome = await rotateSecret(deps, t.secret, configured[t.secret]!, { force: t.force, reason: t.reason });
        log.info({ secretName: t.secret, messageId: message.messageId, ...outcome }, outcome.status === 'busy' ? 'another rotator holds this secret; skipped' : 'rotation check done');
      }
    },
  });
}
