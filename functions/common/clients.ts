import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { createLogger } from '../../shared/logging/logger';
import { DASHBOARD_FUNCTION, loadTopology } from '../../shared/topology/topology';
import { CallWatch, callWatchClientOptions } from './call-watch';
import { projectId, settings } from './settings';

let firestoreClient: Firestore | undefined;
let pubsubClient: PubSub | undefined;
let watch: CallWatch | undefined;

/** One watch of slow and failing calls for both clients, logging as the function this process serves. */
function callWatch(): CallWatch {
  if (!watch) {
    const target = settings().functionTarget;
    const component = loadTopology().functions.find((f) => f.target === target)?.name ?? (target === DASHBOARD_FUNCTION.target ? DASHBOARD_FUNCTION.name : 'functions');
    watch = new CallWatch(createLogger({ component }), { slowMilliseconds: settings().slowCallMilliseconds });
  }
  return watch;
}

/** One Firestore client per process: clients hold gRPC channels and are meant to be shared. */
export function firestore(): Firestore {
  firestoreClient ??= new Firestore({ projectId: projectId(), ignoreUndefinedProperties: true, ...callWatchClientOptions(callWatch()) });
  return firestoreClient;
}

export function pubsub(): PubSub {
  pubsubClient ??= new PubSub({ projectId: projectId(), ...callWatchClientOptions(callWatch()) });
  return pubsubClient;
}
