import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { repoRoot } from '../../../bin/stack/repo-root';
import { LOOPBACK_PRELOAD, testProjectId, waitFor } from '../../support/test-stack';

const PUBLISHER_MODULE = join(repoRoot(), 'dist/shared/publisher/publisher.js');

/** An agent process that emits `count` events and never calls flush() or close(). */
function agentScript(count: number, stayAlive: boolean, idleFirst = false): string {
  return `
    const { createPublisher } = require(${JSON.stringify(PUBLISHER_MODULE)});
    // A second component with its own hook and nothing to send: its close ends at once.
    ${idleFirst ? "createPublisher({ source: 'idle-component' });" : ''}
    // A long batching delay: only the exit hook can send these in time.
    const publisher = createPublisher({ source: 'exiting-agent', batching: { maxMilliseconds: 60000 } });
    for (let i = 0; i < ${count}; i++) publisher.recordCost({ category: 'OTHER', amountMicros: i + 1 });
    ${stayAlive ? "setInterval(() => {}, 1000); process.stdout.write('ready\\n');" : ''}
  `;
}

describe('publisher exit hook', () => {
  let pubsub: PubSub;
  let projectId: string;

  beforeEach(async () => {
    projectId = testProjectId();
    pubsub = new PubSub({ projectId });
    const [topic] = await pubsub.createTopic('governor-cost-events');
    await topic.createSubscription('probe');
  });
  afterEach(async () => {
    await pubsub.close();
  });

  async function received(expected: number): Promise<Message[]> {
    const messages: Message[] = [];
    const subscription = pubsub.subscription('probe');
    subscription.on('message', (m: Message) => {
      messages.push(m);
      m.ack();
    });
    await waitFor(async () => messages.length, (n) => n >= expected, 20_000, `${expected} messages`);
    await subscription.close();
    return messages;
  }

  function runAgent(count: number, stayAlive: boolean, idleFirst = false) {
    return spawn(process.execPath, ['--require', LOOPBACK_PRELOAD, '-e', agentScript(count, stayAlive, idleFirst)], {
      env: { ...process.env, GOOGLE_CLOUD_PROJECT: projectId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  }

  it('flushes on beforeExit when the agent simply ends', async () => {
    const child = runAgent(25, false);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(await received(25)).toHaveLength(25);
  });

  it('closes on SIGTERM, publishing what it accepted, then exits by the signal', async () => {
    const child = runAgent(10, true);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill('SIGTERM');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, s) => resolve(s)));
    expect(signal).toBe('SIGTERM');
    expect(await received(10)).toHaveLength(10);
  });

  it('on SIGTERM, waits for every hook in the process before exiting by the signal, not only the first to finish', async () => {
    const child = runAgent(10, true, true);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill('SIGTERM');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, s) => resolve(s)));
    expect(signal).toBe('SIGTERM');
    expect(await received(10)).toHaveLength(10);
  });
});
