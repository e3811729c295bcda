import { createServer, type Server } from 'node:net';
import { FUNCTIONS_SOURCE } from '../../../bin/stack/stack';
import { startFunction } from '../../../bin/stack/functions-runner';
import { freePort } from '../../../bin/stack/ports';

describe('freePort', () => {
  it('never hands out a port twice, although the OS may pick a released port again', async () => {
    // 300 picks from the OS's range of about 14,000 would repeat one three times in four.
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(300);
  });
});

describe('startFunction', () => {
  let holder: Server | undefined;
  afterEach(() => holder?.close());

  it('is not ready when its port answers but another process holds it: it fails, naming the cause', async () => {
    // Nothing is reached (the emulator hosts are a closed port): the function only has to start.
    // What a port picked twice looked like: the second function died on EADDRINUSE while the first
    // answered the readiness probe for it, and its subscription pushed to the wrong function.
    const server = createServer();
    holder = server;
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    const started = startFunction({ spec: { name: 'spend-aggregator', target: 'spendAggregator' }, port, source: FUNCTIONS_SOURCE, env: { PATH: process.env.PATH ?? '', GOOGLE_CLOUD_PROJECT: 'demo-ports', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', PUBSUB_EMULATOR_HOST: '127.0.0.1:9', METADATA_SERVER_DETECTION: 'none' } });
    await expect(started).rejects.toThrow(/spend-aggregator exited .*while starting[\s\S]*EADDRINUSE/);
  }, 30_000);
});
