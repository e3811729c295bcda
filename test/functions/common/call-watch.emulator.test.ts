import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { startEmulator, type EmulatorHandle } from '../../../bin/stack/emulators';
import { freePort } from '../../../bin/stack/ports';
import { CallWatch, callWatchClientOptions } from '../../../functions/common/call-watch';
import { createLogger } from '../../../shared/logging/logger';
import { createPublisher } from '../../../shared/publisher/publisher';
import { startTestStack, testProjectId, waitFor, type TestStack } from '../../support/test-stack';

type Line = { severity: string; message: string; operation?: string; milliseconds?: number; code?: number; troubleMilliseconds?: number; slowCalls?: number; failedCalls?: number };

/** A logger whose lines land in `lines`, parsed. */
function capture(lines: Line[]) {
  return createLogger({ component: 'call-watch-test', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } });
}

const about = (lines: Line[], operation: string) => lines.filter((l) => l.operation === operation).map((l) => l.severity);

/** The run's shared emulator host is hidden while a client is built, so `host` / `apiEndpoint` win. */
function withoutEmulatorEnv<T>(name: 'FIRESTORE_EMULATOR_HOST' | 'PUBSUB_EMULATOR_HOST', build: () => T): T {
  const shared = process.env[name];
  delete process.env[name];
  try {
    return build();
  } finally {
    process.env[name] = shared;
  }
}

describe('CallWatch', () => {
  describe('on a Firestore emulator that stops answering (SIGSTOP)', () => {
    let emulator: EmulatorHandle;
    let db: Firestore;
    const lines: Line[] = [];

    beforeAll(async () => {
      emulator = await startEmulator('firestore', { port: await freePort() });
      const projectId = testProjectId();
      const client = (options = {}) => withoutEmulatorEnv('FIRESTORE_EMULATOR_HOST', () => new Firestore({ projectId, host: emulator.hostPort, ssl: false, ...options }));
      // A fresh emulator's first commits are slow (its JVM warms up): not what this test is about.
      const warmUp = client();
      for (let i = 0; i < 20; i++) await warmUp.doc(`warm/${i}`).set({ i });
      await warmUp.terminate();
      db = client(callWatchClientOptions(new CallWatch(capture(lines), { slowMilliseconds: 1_000, warningIntervalMilliseconds: 60_000 })));
    });
    afterAll(async () => {
      emulator.process.thaw();
      await db.terminate();
      await emulator.stop();
    });

    it('warns once per interval while commits hang, with the duration, and says when they answer again', async () => {
      await db.doc('watch/healthy').set({ n: 0 });
      expect(lines).toEqual([]);

      emulator.process.freeze();
      const writes = [1, 2, 3].map((n) => db.doc(`watch/w${n}`).set({ n }));
      try {
        await waitFor(async () => about(lines, 'Firestore/Commit'), (s) => s.length > 0, 10_000, 'the slow-call warning');
        // More calls hang past the bound inside the interval: counted, not logged.
        writes.push(db.doc('watch/w4').set({ n: 4 }));
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      } finally {
        emulator.process.thaw();
      }
      await Promise.all(writes);
      await db.doc('watch/after').set({ n: 5 });

      expect(about(lines, 'Firestore/Commit')).toEqual(['WARNING', 'INFO']);
      const [warning, recovery] = lines.filter((l) => l.operation === 'Firestore/Commit') as [Line, Line];
      expect(warning.message).toBe('Firestore/Commit calls are taking over 1000 ms');
      expect(warning.milliseconds).toBeGreaterThanOrEqual(1_000);
      expect(recovery.message).toBe('Firestore/Commit calls answer again');
      expect(recovery.troubleMilliseconds).toBeGreaterThanOrEqual(3_000);
      // The calls that hung after the warning are in the recovery line's counts.
      expect(recovery.slowCalls).toBeGreaterThanOrEqual(1);
      expect(lines.filter((l) => l.severity === 'ERROR')).toEqual([]);
    });
  });

  describe('on a Pub/Sub emulator that goes away and comes back', () => {
    let emulator: EmulatorHandle;
    let port: number;
    let pubsub: PubSub;
    const lines: Line[] = [];

    beforeAll(async () => {
      port = await freePort();
      emulator = await startEmulator('pubsub', { port });
      const watch = new CallWatch(capture(lines), { slowMilliseconds: 5_000, warningIntervalMilliseconds: 60_000 });
      pubsub = withoutEmulatorEnv('PUBSUB_EMULATOR_HOST', () => new PubSub({ projectId: testProjectId(), apiEndpoint: emulator.hostPort, emulatorMode: true, ...callWatchClientOptions(watch) }));
      await pubsub.createTopic('watched');
    });
    afterAll(async () => {
      await pubsub.close();
      await emulator.stop();
    });

    it('warns when publishes fail with UNAVAILABLE, and says when they answer again', async () => {
      const topic = pubsub.topic('watched', { batching: { maxMessages: 1 } });
      await topic.publishMessage({ data: Buffer.from('before') });
      await emulator.stop();
      // The client retries UNAVAILABLE for up to a minute: the publish is still pending when the emulator returns.
      const during = topic.publishMessage({ data: Buffer.from('during') });
      await waitFor(async () => about(lines, 'Publisher/Publish'), (s) => s.length > 0, 20_000, 'the failing-call warning');
      emulator = await startEmulator('pubsub', { port });
      // The restarted emulator is empty: the pending publish's retry may reach it before the topic
      // is created again, and then answers NOT_FOUND — an answer all the same, which is the point.
      const retried = during.then(
        () => 'published',
        (error: { code?: number }) => {
          if (error.code !== 5) throw error;
          return 'not-found';
        },
      );
      await pubsub.createTopic('watched');
      expect(['published', 'not-found']).toContain(await retried);
      await topic.publishMessage({ data: Buffer.from('after') });

      expect(about(lines, 'Publisher/Publish')).toEqual(['WARNING', 'INFO']);
      const warning = lines.find((l) => l.operation === 'Publisher/Publish') as Line;
      expect(warning).toMatchObject({ message: 'Publisher/Publish calls are failing', code: 14 });
      expect(warning.failedCalls).toBeGreaterThanOrEqual(1);
    });
  });

  describe('in a function under load while its Firestore stops answering', () => {
    let emulator: EmulatorHandle;
    let stack: TestStack;

    beforeAll(async () => {
      emulator = await startEmulator('firestore', { port: await freePort() });
      const shared = process.env.FIRESTORE_EMULATOR_HOST;
      process.env.FIRESTORE_EMULATOR_HOST = emulator.hostPort;
      try {
        stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_SLOW_CALL_MILLISECONDS: '1000' } });
      } finally {
        process.env.FIRESTORE_EMULATOR_HOST = shared;
      }
    });
    afterAll(async () => {
      emulator.process.thaw();
      await stack?.close();
      await emulator.stop();
    });

    it('logs a WARNING per slow operation during the outage and an INFO when it ends; nothing is lost', async () => {
      const publisher = createPublisher({ projectId: stack.projectId, source: 'outage-agent', exitHook: false, batching: { maxMilliseconds: 5 } });
      const emit = (n: number) => {
        for (let i = 0; i < n; i++) publisher.emit({ type: 'cost', payload: { category: 'AI_API_CALLS', amountMicros: 1_000 } });
      };
      emit(50);
      await publisher.flush();
      await waitFor(async () => (await stack.db.collection('governor_cost_events').count().get()).data().count, (n) => n === 50, 30_000, 'the first events');

      emulator.process.freeze();
      try {
        for (let second = 0; second < 6; second++) {
          emit(50);
          await publisher.flush();
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      } finally {
        emulator.process.thaw();
      }
      await publisher.close();
      await waitFor(async () => (await stack.db.collection('governor_cost_events').count().get()).data().count, (n) => n === 350, 120_000, 'every event');

      const lines = stack.logs.filter((l) => l.startsWith('[spend-aggregator] {')).map((l) => JSON.parse(l.slice('[spend-aggregator] '.length)) as Line);
      const watched = lines.filter((l) => l.operation?.startsWith('Firestore/'));
      const warnings = watched.filter((l) => l.severity === 'WARNING');
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      // Once per interval (60 s by default) per operation: the outage is shorter.
      expect(new Set(warnings.map((w) => w.operation)).size).toBe(warnings.length);
      for (const w of warnings) expect(w.milliseconds).toBeGreaterThanOrEqual(1_000);
      await waitFor(async () => stack.logs.filter((l) => l.includes('calls answer again')).length, (n) => n >= 1, 30_000, 'the recovery line');
    });
  });
});
