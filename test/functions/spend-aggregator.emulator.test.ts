import { ulid } from 'ulid';
import { COLLECTIONS } from '../../shared/basics/collections';
import { readLedgerEntry, readSpendTotals } from '../../shared/store/spend-shards';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { stackWithPublisher } from '../support/stack-with-publisher';
import { waitFor } from '../support/test-stack';

describe('spend-aggregator (publisher → Pub/Sub emulator → push → functions-framework → Firestore)', () => {
  const local = stackWithPublisher({ functions: ['spend-aggregator'], functionEnv: { LOG_LEVEL: 'debug' } }, 'test-agent');

  const countRecorded = async (ids: readonly string[]): Promise<number> => {
    const snaps = await local.stack.db.getAll(...ids.map((id) => local.stack.db.collection(COLLECTIONS.costEvents).doc(id)));
    return snaps.filter((s) => s.exists).length;
  };

  it('records an event emitted by the publisher in Firestore', async () => {
    const { eventId, accepted } = local.publisher.recordCost({ category: 'AI_API_CALLS', usd: 0.15, service: 'vertex-ai' });
    expect(accepted).toBe(true);
    await local.publisher.flush();
    const entry = await waitFor(() => readLedgerEntry(local.stack.db, eventId), (e) => e !== undefined, 30_000, 'the ledger entry');
    expect(entry?.event.payload).toEqual({ category: 'AI_API_CALLS', amountMicros: 150_000, service: 'vertex-ai' });
    expect(entry?.event.source).toBe('test-agent');
    expect(entry?.amountMicros).toBe(150_000);
  });

  it('records an event delivered three times exactly once', async () => {
    const eventId = ulid();
    const payload = { category: 'STORAGE' as const, amountMicros: 42 };
    for (let i = 0; i < 3; i++) local.publisher.emit({ type: 'cost', eventId, payload });
    // A fourth copy from a plain Pub/Sub client, as any language would publish it.
    const wire = { eventId, schemaVersion: 1, type: 'cost', source: 'other-client', occurredAt: new Date().toISOString(), payload };
    await local.stack.pubsub.topic(local.stack.topology.topics.cost).publishMessage({ json: wire });
    expect((await local.publisher.flush()).published).toBeGreaterThanOrEqual(3);

    await waitFor(() => countRecorded([eventId]), (n) => n === 1, 30_000, 'the record');
    // Every copy has been handled once three report themselves as duplicates.
    await waitFor(
      async () => local.stack.logs.filter((l) => l.includes(eventId) && l.includes('"duplicate":true')).length,
      (n) => n === 3,
      30_000,
      'three duplicate deliveries',
    );
    // Whichever copy came first is what stays recorded, counted once.
    const entry = await readLedgerEntry(local.stack.db, eventId);
    expect(['test-agent', 'other-client']).toContain(entry?.event.source);
    expect(entry?.amountMicros).toBe(42);
    expect((await readSpendTotals(local.stack.db, entry!.period, ['STORAGE'])).STORAGE).toBe(42);
  });

  it('dead-letters malformed and schema-invalid messages with their reason while recording every valid one', async () => {
    const topic = local.stack.pubsub.topic(local.stack.topology.topics.cost);
    const deadLetterTopic = local.stack.topology.functions[0]!.subscription.deadLetterTopic;
    const good = (amountMicros: number) => ({
      eventId: ulid(),
      schemaVersion: 1,
      type: 'cost',
      source: 'mixed-agent',
      occurredAt: new Date().toISOString(),
      payload: { category: 'COMPUTE', amountMicros },
    });
    const valid = Array.from({ length: 20 }, (_, i) => good(i + 1));
    const bad: { data: Buffer; expected: string; attributes?: Record<string, string> }[] = [
      { data: Buffer.from('{not json'), expected: 'not-json' },
      // Pub/Sub refuses a message with neither data nor attributes; an attribute-only one is legal.
      { data: Buffer.from(''), expected: 'not-json', attributes: { note: 'empty body' } },
      { data: Buffer.from(JSON.stringify({ ...good(1), payload: { category: 'COMPUTE' } })), expected: 'schema' },
      { data: Buffer.from(JSON.stringify({ ...good(1), payload: { category: 'TEA', amountMicros: 5 } })), expected: 'schema' },
      { data: Buffer.from(JSON.stringify({ ...good(1), payload: { category: 'COMPUTE', amountMicros: -5 } })), expected: 'schema' },
      { data: Buffer.from(JSON.stringify({ ...good(1), type: 'metric' })), expected: 'schema' },
      { data: Buffer.from(JSON.stringify({ ...good(1), eventId: 'not-a-ulid' })), expected: 'schema' },
      { data: Buffer.alloc(70 * 1024, 'x'), expected: 'oversize' },
    ];
    const mixed: { data: Buffer; attributes?: Record<string, string> }[] = [...valid.map((v) => ({ data: Buffer.from(JSON.stringify(v)) })), ...bad];
    mixed.sort(() => Math.random() - 0.5);
    await Promise.all(mixed.map((m) => topic.publishMessage({ data: m.data, attributes: m.attributes })));

    await waitFor(() => countRecorded(valid.map((v) => v.eventId)), (n) => n === valid.length, 30_000, 'all valid events');
    const dead = await local.stack.pullDeadLetters(deadLetterTopic, bad.length);
    expect(dead).toHaveLength(bad.length);
    const failures = dead.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.failure]).sort();
    expect(failures).toEqual(bad.map((b) => b.expected).sort());
    for (const m of dead) {
      expect(m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/\S/);
      expect(m.attributes[DEAD_LETTER_ATTRIBUTES.consumer]).toBe('spend-aggregator');
    }
    const reasons = dead.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).join('\n');
    expect(reasons).toContain('payload.amountMicros');
    expect(reasons).toContain('payload.category');
    // The reason is logged as a structured WARNING line too.
    const warnings = local.stack.logs.filter((l) => l.includes('"severity":"WARNING"') && l.includes('invalid event dead-lettered'));
    expect(warnings.length).toBeGreaterThanOrEqual(bad.length);
  });
});
