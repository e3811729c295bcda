import { createServer } from 'node:net';
import { assertPortsFree, portProblem, PortsInUseError } from '../../../bin/stack/port-claims';
import { freePort } from '../../../bin/stack/ports';

describe('assertPortsFree', () => {
  it('passes when every claimed port can be bound', async () => {
    await expect(assertPortsFree([{ port: await freePort(), label: 'Pub/Sub emulator', setting: 'pubsub' }])).resolves.toBeUndefined();
  });

  it('names each taken port and what needed it, and leaves free ones out', async () => {
    const holder = createServer();
    const taken = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    const free = await freePort();
    try {
      const error = await assertPortsFree([
        { port: taken, label: 'Firestore emulator', setting: 'firestore' },
        { port: free, label: 'function spend-aggregator', setting: 'functions' },
      ]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortsInUseError);
      expect((error as PortsInUseError).message).toBe(`port ${taken} (Firestore emulator) is already in use`);
      expect((error as PortsInUseError).taken).toEqual([{ port: taken, label: 'Firestore emulator', setting: 'firestore', code: 'EADDRINUSE' }]);
      // The check itself holds nothing: the free port is still free.
      expect(await portProblem(free)).toBeUndefined();
    } finally {
      holder.close();
    }
  });
});
