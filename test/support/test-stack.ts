import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { repoRoot } from '../../bin/stack/repo-root';
import { startStack, type Stack, type StackOptions } from '../../bin/stack/stack';

export interface TestStack extends Stack {
  db: Firestore;
  pubsub: PubSub;
  /** Every output line of the stack's function processes, tagged `[name] line`. */
  logs: string[];
  /** Pulls what reached a dead-letter topic's inspection subscription. */
  pullDeadLetters(topic: string, atLeast: number, timeoutMilliseconds?: number): Promise<Message[]>;
  /** Collects, from now on, what reaches a dead-letter topic's inspection subscription. */
  collectDeadLetters(topic: string): { messages: Message[]; close(): Promise<void> };
  close(): Promise<void>;
}

export const LOOPBACK_PRELOAD = join(repoRoot(), 'test/support/loopback-only.js');

/** A fresh `demo-` project id: each test file gets its own Firestore and Pub/Sub namespace. */
export function testProjectId(): string {
  return `demo-t${randomBytes(6).toString('hex')}`;
}

/**
 * The local stack on the run's shared emulators, in a project of its own, with the named
 * functions running under functions-framework behind the loopback-only preload.
 */
export async function startTestStack(options: Pick<StackOptions, 'functions' | 'functionEnv' | 'mailCatcher' | 'secretManagerEndpoint' | 'dashboard' | 'deployedPackage' | 'schedules'> = {}): Promise<TestStack> {
  const pubsubHost = process.env.PUBSUB_EMULATOR_HOST;
  const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST;
  if (!pubsubHost || !firestoreHost) throw new Error('emulator hosts are not set: is this an *.emulator.test.ts file?');
  const logs: string[] = [];
  const stack = await startStack({
    ...options,
    projectId: testProjectId(),
    reuse: { pubsubHost, firestoreHost },
    nodeArgs: ['--require', LOOPBACK_PRELOAD],
    onLine: (source, line) => logs.push(`[${source}] ${line}`),
  });
  const db = new Firestore({ projectId: stack.projectId });
  const pubsub = new PubSub({ projectId: stack.projectId });

  return {
    ...stack,
    db,
    pubsub,
    logs,
    async pullDeadLetters(topic, atLeast, timeoutMilliseconds = 30_000) {
      const spec = stack.topology.deadLetterSubscriptions.find((d) => d.topic === topic);
      if (!spec) throw new Error(`no dead-letter subscription for ${topic}`);
      const received: Message[] = [];
      const subscription = pubsub.subscription(spec.name);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          void subscription.close();
          reject(new Error(`only ${received.length} of ${atLeast} dead letters on ${topic} within ${timeoutMilliseconds} ms`));
        }, timeoutMilliseconds);
        subscription.on('message', (message: Message) => {
          message.ack();
          received.push(message);
          if (received.length >= atLeast) {
            clearTimeout(timer);
            resolve();
          }
        });
        subscription.on('error', reject);
      });
      await subscription.close();
      return received;
    },
    collectDeadLetters(topic) {
      const spec = stack.topology.deadLetterSubscriptions.find((d) => d.topic === topic);
      if (!spec) throw new Error(`no dead-letter subscription for ${topic}`);
      const messages: Message[] = [];
      const subscription = pubsub.subscription(spec.name);
      subscription.on('message', (message: Message) => {
        message.ack();
        messages.push(message);
      });
      return { messages, close: () => subscription.close() };
    },
    async close() {
      // Everything is stopped even when one part fails (stack.stop() settles every piece); the
      // failure is thrown after the clients are closed, not lost.
      const stopped = await stack.stop().then(
        () => undefined,
        (error: unknown) => error,
      );
      // Subscriptions of a stopped stack would keep pushing unacked messages at dead ports for the
      // rest of the run; delete them.
      const [subscriptions] = await pubsub.getSubscriptions().catch(() => [[]]);
      await Promise.allSettled(subscriptions.map((s) => s.delete()));
      await Promise.allSettled([db.terminate(), pubsub.close()]);
      if (stopped) throw stopped;
    },
  };
}

/** Polls `read` until `done` holds, or fails with the last value seen. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMilliseconds = 30_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
