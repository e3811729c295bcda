import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startEmulator, type EmulatorHandle } from '../../bin/stack/emulators';
import { freePort, waitForPort } from '../../bin/stack/ports';
import { startProcess, type ManagedProcess } from '../../bin/stack/process-group';
import { FUNCTIONS_SOURCE } from '../../bin/stack/stack';

declare global {
  // Shared between globalSetup and globalTeardown, which run in the same process.
  var governorEmulators: EmulatorHandle[] | undefined;
  var governorRedis: ManagedProcess | undefined;
}

/** A real redis-server for the rate-limit tests, in its own process group, nothing persisted. */
async function startRedis(): Promise<{ process: ManagedProcess; url: string }> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not installed: `apt-get install -y redis-server` (.ci/run does it)');
  }
  const port = await freePort();
  const redis = startProcess({ name: 'redis', command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] });
  await waitForPort(port, '127.0.0.1', 10_000, 'redis-server');
  return { process: redis, url: `redis://127.0.0.1:${port}` };
}

/**
 * Starts one Pub/Sub and one Firestore emulator (and a redis-server) for the whole run, on free
 * ports, in their own process groups. Each test file then works in its own `demo-` project on them, so files never
 * see each other's data. The hosts reach the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(FUNCTIONS_SOURCE)) {
    throw new Error(`${FUNCTIONS_SOURCE} is missing: run \`npm run build\` (npm test does it first)`);
  }
  const [pubsub, firestore, redis] = await Promise.all([
    startEmulator('pubsub', { port: await freePort() }),
    startEmulator('firestore', { port: await freePort() }),
    startRedis(),
  ]);
  globalThis.governorEmulators = [pubsub, firestore];
  globalThis.governorRedis = redis.process;
  process.env.GOVERNOR_TEST_REDIS_URL = redis.url;
  process.env.PUBSUB_EMULATOR_HOST = pubsub.hostPort;
  process.env.FIRESTORE_EMULATOR_HOST = firestore.hostPort;
  process.env.METADATA_SERVER_DETECTION = 'none';
}
