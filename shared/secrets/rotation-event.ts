import type { PubSub } from '@google-cloud/pubsub';
import { parseEventOfType } from '../contracts/event';
import { newEventId } from '../contracts/event-id';
import type { RotationDeps } from './key-rotation';

/**
 * Publishes a rotation as an API_KEY_ROTATION security event (audited by the security monitor):
 * the secret's name, the versions and the new key's public id — never the key.
 */
export function rotationAnnouncer(pubsub: PubSub, securityTopic: string, source: string): RotationDeps['announce'] {
  return async (rotation) => {
    const event = parseEventOfType(
      {
        eventId: newEventId(),
        schemaVersion: 1,
        type: 'security',
        source,
        occurredAt: new Date().toISOString(),
        payload: {
          kind: 'API_KEY_ROTATION',
          severity: 'INFO',
          apiKeyId: rotation.keyId,
          details: { name: rotation.secret, version: rotation.version, ...(rotation.previousVersion ? { previousVersion: rotation.previousVersion } : {}), reason: rotation.reason },
        },
      },
      'security',
    );
    await pubsub.topic(securityTopic).publishMessage({ json: event, attributes: { eventType: 'security', eventId: event.eventId, source, schemaVersion: '1' } });
  };
}
