import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { activeTrips } from '../../shared/store/runaway-trips-store';
import { governorCli } from '../support/governor-cli';
import { periodOf } from '../../shared/basics/period';
import { waitForCounted } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const LOOP_HASH = '0123456789abcdef0123456789abcdef';
const CONFIG_CACHE_MILLISECONDS = 15_000;

/**
 * A breaker rule reaches a warm spend-aggregator up to a config interval after it is stored; the
 * calls committed meanwhile count under it once it is read (the README's demo: `breaker set`, then
 * four calls of a loop at once).
 */
describe('a breaker rule read after the calls it should count', () => {
  let stack: TestStack;
  let publisher: GovernorPublisher | undefined;
  const governor = governorCli(() => stack.clientEnv);

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: String(CONFIG_CACHE_MILLISECONDS) } });
  }, 60_000);
  afterAll(async () => {
    await publisher?.close();
    await stack?.close();
  });

  it('counts the calls committed before the instance read the new rule, and trips on them', async () => {
    publisher = createPublisher({ projectId: stack.projectId, source: 'late-looper', exitHook: false, batching: { maxMilliseconds: 5 } });
    // A first commit: the instance reads the rules (none) and keeps them for the cache interval.
    publisher.recordCost({ category: 'OTHER', amountMicros: 10 });
    await publisher.flush();
    await waitForCounted(stack.db, periodOf(new Date()).id, 1, 20_000);
    expect((await governor('breaker', 'set', '--scope', 'agent:*', '--floor', '1', '--loop-repeats', '3', '--loop-window', '10m')).status).toBe(0);
    for (let i = 0; i < 4; i++) publisher.recordAiUsage({ model: 'gemini-2.5-flash', inputTokens: 100, outputTokens: 0, promptHash: LOOP_HASH });
    await publisher.flush();
    // Committed within seconds: the instance still holds "no rules" (read again 15 s after the first commit).
    await waitForCounted(stack.db, periodOf(new Date()).id, 5, 20_000);
    const trips = await waitFor(() => activeTrips(stack.db), (t) => t.some((trip) => trip.scope === 'agent:late-looper'), 30_000, 'the late looper tripped');
    expect(trips.find((t) => t.scope === 'agent:late-looper')).toMatchObject({ ruleId: 'agent-all', reason: 'loop', shadow: false });
    expect(trips.find((t) => t.scope === 'agent:late-looper')?.alert.topPrompts[0]).toMatchObject({ promptHash: LOOP_HASH, calls: 4 });
  }, 90_000);
});
