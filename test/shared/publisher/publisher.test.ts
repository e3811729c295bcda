import { EventValidationError, OptionsError } from '../../../shared/contracts';
import { createPublisher, type EmitReceipt } from '../../../shared/publisher/publisher';
import type { PublisherOptions } from '../../../shared/publisher/publisher-options';
import { BufferFullError, PublishError, PublisherClosedError, type DropReport } from '../../../shared/publisher/publish-error';
import { MemoryTransport } from '../../support/memory-transport';

const cost = (amountMicros = 1) => ({ category: 'OTHER' as const, amountMicros });

// Every publisher is closed after its test: a live metrics timer must not outlive this file.
const opened: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((publisher) => publisher.close().catch(() => undefined)));
});

function setup(options: PublisherOptions = {}) {
  const transport = new MemoryTransport();
  const errors: PublishError[] = [];
  const drops: DropReport[] = [];
  const publisher = createPublisher({
    projectId: 'demo-unit',
    source: 'unit-agent',
    exitHook: false,
    transport,
    onError: (e) => errors.push(e),
    onDrop: (d) => drops.push(d),
    ...options,
  });
  opened.push(publisher);
  return { transport, errors, drops, publisher };
}

describe('GovernorPublisher', () => {
  describe('emit', () => {
    it('returns a receipt without waiting for the network', () => {
      const { transport, publisher } = setup();
      transport.hold();
      const receipt = publisher.recordCost(cost());
      expect(receipt).toEqual({ eventId: expect.stringMatching(/^[0-9A-Z]{26}$/), accepted: true });
      expect(publisher.stats()).toMatchObject({ accepted: 1, buffered: 1, published: 0 });
      transport.release();
    });

    it('throws an error naming the field for invalid input', () => {
      const { publisher } = setup();
      expect(() => publisher.emit({ type: 'cost', payload: { category: 'TEA', amountMicros: 1 } as never })).toThrow(EventValidationError);
      expect(() => publisher.recordCost({ category: 'OTHER', amountMicros: 0.5 })).toThrow(/payload\.amountMicros/);
      expect(() => publisher.recordCost({ category: 'OTHER', usd: -1 })).toThrow(/payload\.amountMicros/);
      expect(() => publisher.recordMetric({ metric: 'CPU_USAGE', value: 180 })).toThrow(/payload\.max/);
      expect(() => publisher.recordSecurityEvent({ kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: 'not-an-ip' })).toThrow(/payload\.ip/);
      expect(publisher.stats().accepted).toBe(0);
    });

    it('converts usd to integer micro-USD at the edge', async () => {
      const { transport, publisher } = setup();
      publisher.recordCost({ category: 'AI_API_CALLS', usd: 0.1234567 });
      await publisher.flush();
      expect(transport.requests[0]!.events[0]).toMatchObject({ payload: { amountMicros: 123_457 }, source: 'unit-agent', schemaVersion: 1 });
    });
  });

  describe('batching', () => {
    it('splits by message count', async () => {
      const { transport, publisher } = setup({ batching: { maxMessages: 10, maxMilliseconds: 10_000 } });
      for (let i = 0; i < 25; i++) publisher.recordCost(cost(i));
      await publisher.flush();
      expect(transport.requests.map((r) => r.eventIds.length)).toEqual([10, 10, 5]);
    });

    it('splits by bytes', async () => {
      const { transport, publisher } = setup({ batching: { maxBytes: 1000, maxMilliseconds: 10_000 } });
      for (let i = 0; i < 10; i++) publisher.recordCost({ ...cost(i), description: 'x'.repeat(200) });
      await publisher.flush();
      expect(transport.requests.every((r) => r.bytes <= 1000)).toBe(true);
      expect(transport.publishedIds()).toHaveLength(10);
      expect(transport.requests.length).toBeGreaterThan(3);
    });

    it('sends a partial batch when maxMilliseconds elapses, without flush()', async () => {
      const { transport, publisher } = setup({ batching: { maxMilliseconds: 20 } });
      publisher.recordCost(cost());
      await new Promise((r) => setTimeout(r, 200));
      expect(transport.publishedIds()).toHaveLength(1);
    });

    it('routes each event type to its topic', async () => {
      const { transport, publisher } = setup();
      publisher.recordCost(cost());
      publisher.recordMetric({ metric: 'LATENCY', value: 120, labels: { operation: 'generate' } });
      publisher.recordSecurityEvent({ kind: 'INVALID_INPUT', severity: 'INFO', userId: 'u1' });
      await publisher.flush();
      expect(transport.requests.map((r) => r.topic).sort()).toEqual(['governor-cost-events', 'governor-metric-events', 'governor-security-events']);
    });
  });

  describe('close', () => {
    it('publishes everything it accepted, then refuses new events', async () => {
      const { transport, publisher } = setup({ batching: { maxMessages: 7 } });
      const ids = Array.from({ length: 500 }, (_, i) => publisher.recordCost(cost(i)).eventId);
      const stats = await publisher.close();
      expect(stats).toMatchObject({ accepted: 500, published: 500, buffered: 0, dropped: 0, failed: 0 });
      expect(transport.publishedIds().sort()).toEqual(ids.sort());
      expect(transport.closed).toBe(true);
      expect(() => publisher.recordCost(cost())).toThrow(PublisherClosedError);
      await expect(publisher.close()).resolves.toEqual(stats);
    });

    it('reports what it could not send when the close timeout expires', async () => {
      const { transport, errors, publisher } = setup({ closeTimeoutMilliseconds: 100 });
      transport.hold();
      for (let i = 0; i < 3; i++) publisher.recordCost(cost(i));
      const closing = publisher.close();
      await new Promise((r) => setTimeout(r, 150));
      transport.failures.push({ code: 1, message: 'cancelled by close' });
      transport.release();
      const stats = await closing;
      expect(stats).toMatchObject({ accepted: 3, published: 0, failed: 3, buffered: 0 });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.eventIds).toHaveLength(3);
    });
  });

  describe('overflow', () => {
    const full = (policy: 'drop-newest' | 'drop-oldest' | 'throw') =>
      setup({ buffer: { maxMessages: 5, overflowPolicy: policy }, batching: { maxMilliseconds: 10_000 } });

    it('drop-newest refuses new events, counts and reports them', async () => {
      const { transport, drops, publisher } = full('drop-newest');
      const receipts: EmitReceipt[] = Array.from({ length: 8 }, (_, i) => publisher.recordCost(cost(i)));
      expect(receipts.map((r) => r.accepted)).toEqual([true, true, true, true, true, false, false, false]);
      expect(drops.flatMap((d) => (d.reason === 'buffer-full' ? d.eventIds : []))).toEqual(receipts.slice(5).map((r) => r.eventId));
      await publisher.flush();
      expect(transport.publishedIds()).toEqual(receipts.slice(0, 5).map((r) => r.eventId));
      expect(publisher.stats()).toMatchObject({ accepted: 5, published: 5, dropped: 3 });
    });

    it('drop-oldest evicts the oldest pending events for new ones', async () => {
      const { transport, drops, publisher } = full('drop-oldest');
      const receipts = Array.from({ length: 8 }, (_, i) => publisher.recordCost(cost(i)));
      expect(receipts.every((r) => r.accepted)).toBe(true);
      expect(drops.flatMap((d) => (d.reason === 'buffer-full' ? d.eventIds : []))).toEqual(receipts.slice(0, 3).map((r) => r.eventId));
      await publisher.flush();
      expect(transport.publishedIds()).toEqual(receipts.slice(3).map((r) => r.eventId));
      expect(publisher.stats()).toMatchObject({ dropped: 3, published: 5 });
    });

    it('throw refuses with BufferFullError and counts the refusal', () => {
      const { publisher } = full('throw');
      for (let i = 0; i < 5; i++) publisher.recordCost(cost(i));
      expect(() => publisher.recordCost(cost())).toThrow(BufferFullError);
      expect(publisher.stats()).toMatchObject({ accepted: 5, dropped: 1 });
    });
  });

  describe('retries', () => {
    it('retries transient errors with backoff, then publishes', async () => {
      const { transport, errors, publisher } = setup({ retry: { initialBackoffMilliseconds: 1 } });
      transport.failures.push({ code: 14 }, { code: 4 });
      publisher.recordCost(cost());
      const stats = await publisher.flush();
      expect(stats).toMatchObject({ published: 1, retries: 2, failed: 0 });
      expect(errors).toEqual([]);
    });

    it('reports a non-transient error at once, naming the events', async () => {
      const { transport, errors, publisher } = setup();
      transport.failures.push({ code: 5, message: 'topic not found' });
      const { eventId } = publisher.recordCost(cost());
      const stats = await publisher.flush();
      expect(stats).toMatchObject({ published: 0, failed: 1, retries: 0 });
      expect(errors[0]).toBeInstanceOf(PublishError);
      expect(errors[0]!.eventIds).toEqual([eventId]);
      expect(errors[0]!.message).toContain('topic not found');
    });

    it('gives up after maxAttempts', async () => {
      const { transport, errors, publisher } = setup({ retry: { maxAttempts: 3, initialBackoffMilliseconds: 1 } });
      transport.failures.push({ code: 14 }, { code: 14 }, { code: 14 }, { code: 14 });
      publisher.recordCost(cost());
      expect(await publisher.flush()).toMatchObject({ failed: 1, retries: 2 });
      expect(errors[0]!.attempts).toBe(3);
    });
  });

  describe('metrics', () => {
    it('aggregates samples per series and sends one event per series per flush', async () => {
      const { transport, publisher } = setup();
      for (let i = 0; i < 1000; i++) expect(publisher.recordMetric({ metric: 'LATENCY', value: i, labels: { operation: 'generate' } })).toBe(true);
      publisher.recordMetric({ metric: 'LATENCY', value: 5, labels: { operation: 'summarize' } });
      publisher.recordCacheLookup(true);
      await publisher.flush();
      const events = transport.requests.flatMap((r) => r.events) as { payload: { metric: string; count: number; labels: Record<string, string> } }[];
      expect(events.map((e) => `${e.payload.metric}:${e.payload.labels.operation ?? '-'}:${e.payload.count}`).sort()).toEqual(['CACHE_HIT_RATE:-:1', 'LATENCY:generate:1000', 'LATENCY:summarize:1']);
    });

    it('sends the last interval on close', async () => {
      const { transport, publisher } = setup();
      publisher.recordMetric({ metric: 'THROUGHPUT', value: 12 });
      await publisher.close();
      expect(transport.requests.flatMap((r) => r.events)).toHaveLength(1);
      expect(() => publisher.recordMetric({ metric: 'THROUGHPUT', value: 1 })).toThrow(PublisherClosedError);
    });

    it('counts and reports samples refused by the series limit', () => {
      const { drops, publisher } = setup({ metrics: { maxSeries: 1 } });
      publisher.recordMetric({ metric: 'LATENCY', value: 1, labels: { operation: 'a' } });
      expect(publisher.recordMetric({ metric: 'LATENCY', value: 1, labels: { operation: 'b' } })).toBe(false);
      expect(drops).toEqual([expect.objectContaining({ reason: 'series-limit', series: 'LATENCY|operation=b', samples: 1 })]);
      expect(publisher.stats().dropped).toBe(1);
    });

    it('times operations into LATENCY, API_CALLS and ERROR_RATE', async () => {
      const { transport, publisher } = setup();
      await publisher.timed('generate', async () => 'ok');
      await expect(publisher.timed('generate', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
      await publisher.flush();
      const byMetric = Object.fromEntries((transport.requests.flatMap((r) => r.events) as { payload: { metric: string; count: number; sum: number } }[]).map((e) => [e.payload.metric, e.payload]));
      expect(byMetric.API_CALLS).toMatchObject({ count: 2, sum: 2 });
      expect(byMetric.ERROR_RATE).toMatchObject({ count: 2, sum: 100 });
      expect(byMetric.LATENCY).toMatchObject({ count: 2 });
    });
  });

  describe('options', () => {
    it('refuses bad options, naming them', () => {
      expect(() => createPublisher({ projectId: 'p', exitHook: false, batching: { maxMessages: 5000 } })).toThrow(OptionsError);
      expect(() => createPublisher({ projectId: 'p', exitHook: false, batching: { maxMessages: 5000 } })).toThrow(/batching\.maxMessages/);
      expect(() => createPublisher({ projectId: 'p', exitHook: false, buffer: { overflowPolicy: 'panic' as never } })).toThrow(/buffer\.overflowPolicy/);
      expect(() => createPublisher({ projectId: '', exitHook: false })).toThrow(/projectId/);
    });
  });
});
