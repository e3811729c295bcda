import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';

/** Project the function runs in; functions-framework and Cloud Run both set one of these. */
export function projectId(env: NodeJS.ProcessEnv = process.env): string {
  const id = env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT;
  if (!id) throw new Error('GOOGLE_CLOUD_PROJECT is not set');
  return id;
}

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
