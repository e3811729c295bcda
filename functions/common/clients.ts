import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { projectId } from './settings';

let firestoreClient: Firestore | undefined;
let pubsubClient: PubSub | undefined;

/** One Firestore client per process: clients hold gRPC channels and are meant to be shared. */
export function firestore(): Firestore {
  firestoreClient ??= new Firestore({ projectId: projectId(), ignoreUndefinedProperties: true });
  return firestoreClient;
}

export function pubsub(): PubSub {
  pubsubClient ??= new PubSub({ projectId: projectId() });
  return pubsubClient;
}
