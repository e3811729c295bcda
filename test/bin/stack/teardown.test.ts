import { StopError, Teardown } from '../../../bin/stack/teardown';

describe('Teardown', () => {
  describe('run', () => {
    it('stops every step even when one fails, then names the failure', async () => {
      const teardown = new Teardown();
      const stopped: string[] = [];
      teardown.add('a', async () => void stopped.push('a'));
      teardown.add('broken', async () => {
        throw new Error('refused');
      });
      teardown.add('thrower', () => {
        throw new Error('sync');
      });
      teardown.add('c', async () => void stopped.push('c'));
      await expect(teardown.run()).rejects.toBeInstanceOf(StopError);
      await expect(teardown.run()).rejects.toThrow('could not stop broken (refused), thrower (sync)');
      expect(stopped.sort()).toEqual(['a', 'c']);
    });

    it('stops each step once when called twice, the second call waiting for the first', async () => {
      const teardown = new Teardown();
      let calls = 0;
      let release: () => void = () => undefined;
      teardown.add('slow', () => {
        calls += 1;
        return new Promise<void>((resolve) => (release = resolve));
      });
      const first = teardown.run();
      let secondDone = false;
      const second = teardown.run().then(() => (secondDone = true));
      await Promise.resolve();
      expect(secondDone).toBe(false);
      release();
      await Promise.all([first, second]);
      expect(calls).toBe(1);
    });

    it('stops a step added after the stop began straight away, and a later run waits for it', async () => {
      const teardown = new Teardown();
      await teardown.run();
      expect(teardown.stopping).toBe(true);
      let stopped = false;
      teardown.add('late', async () => {
        await new Promise((r) => setImmediate(r));
        stopped = true;
      });
      await teardown.run();
      expect(stopped).toBe(true);
    });

    it('leaves out a step that was forgotten (stopped some other way)', async () => {
      const teardown = new Teardown();
      let stopped = false;
      const forget = teardown.add('restarted', () => void (stopped = true));
      forget();
      await teardown.run();
      expect(stopped).toBe(false);
    });
  });
});
