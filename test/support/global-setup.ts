import { existsSync } from 'node:fs';
import { startEmulator, type EmulatorHandle } from '../../bin/stack/emulators';
import { freePort } from '../../bin/stack/ports';
import { FUNCTIONS_SOURCE } from '../../bin/stack/stack';

declare global {
  // Shared between globalSetup and globalTeardown, which run in the same process.
  var governorEmulators: EmulatorHandle[] | undefined;
}

/**
 * Starts one Pub/Sub and one Firestore emulator for the whole run, on free ports, in their own
 * process groups. Each test file then works in its own `demo-` project on them, so files never
 * see each other's data. The hosts reach the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(FUNCTIONS_SOURCE)) {
    throw new Error(`${FUNCTIONS_SOURCE} is missing: run \`npm run build\` (npm test does it first)`);
  }
  const [pubsub, firestore] = await Promise.all([
    startEmulator('pubsub', { port: await freePort() }),
    startEmulator('firestore', { port: await freePort() }),
  ]);
  globalThis.governorEmulators = [pubsub, firestore];
  process.env.PUBSUB_EMULATOR_HOST = pubsub.hostPort;
  process.env.FIRESTORE_EMULATOR_HOST = firestore.hostPort;
  process.env.METADATA_SERVER_DETECTION = 'none';
}
