import { measureOperation, timeOperation, type MetricSampleInput, type MetricSink } from '../../../shared/metrics/measure';
import { startSystemSampler } from '../../../shared/metrics/system-sampler';

/** Collects what would be recorded (the sink is Governor's own interface, not a Google client). */
class CollectingSink implements MetricSink {
  readonly samples: MetricSampleInput[] = [];
  recordMetric(input: MetricSampleInput): boolean {
    this.samples.push(input);
    return true;
  }
  of(metric: string) {
    return this.samples.filter((s) => s.metric === metric);
  }
}

describe('measure and timed', () => {
  it('records latency, one call and a 0 error sample on success', () => {
    const sink = new CollectingSink();
    const m = measureOperation(sink, 'generate', { model: 'gemini-2.5-flash' });
    m.end();
    m.end(); // once only
    expect(sink.of('LATENCY')).toHaveLength(1);
    expect(sink.of('LATENCY')[0]!.labels).toEqual({ model: 'gemini-2.5-flash', operation: 'generate' });
    expect(sink.of('API_CALLS')[0]!.value).toBe(1);
    expect(sink.of('ERROR_RATE')[0]!.value).toBe(0);
  });

  it('times sync and async functions, recording failures as 100 and rethrowing', async () => {
    const sink = new CollectingSink();
    expect(timeOperation(sink, 'sync', () => 41 + 1, {})).toBe(42);
    // A fake clock (performance.now included): the latency recorded is the 20 ms the call took, exactly.
    jest.useFakeTimers();
    try {
      const slow = timeOperation(sink, 'async', async () => {
        await new Promise((r) => setTimeout(r, 20));
        return 'ok';
      }, {});
      await jest.advanceTimersByTimeAsync(20);
      await expect(slow).resolves.toBe('ok');
    } finally {
      jest.useRealTimers();
    }
    expect(() => timeOperation(sink, 'boom', () => {
      throw new Error('model refused');
    }, {})).toThrow('model refused');
    await expect(timeOperation(sink, 'later', async () => Promise.reject(new Error('timeout')), {})).rejects.toThrow('timeout');
    expect(sink.of('ERROR_RATE').map((s) => `${s.labels?.operation}:${s.value}`)).toEqual(['sync:0', 'async:0', 'boom:100', 'later:100']);
    expect(sink.of('LATENCY').find((s) => s.labels?.operation === 'async')!.value).toBe(20);
  });
});

describe('startSystemSampler', () => {
  it('samples CPU and memory of the process and the host until stopped', async () => {
    const sink = new CollectingSink();
    const sampler = startSystemSampler(sink, { intervalMilliseconds: 100, labels: { agent: 'a1' } });
    await new Promise((r) => setTimeout(r, 350));
    sampler.stop();
    const count = sink.samples.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(sink.samples.length).toBe(count);
    for (const metric of ['CPU_USAGE', 'MEMORY_USAGE']) {
      const scopes = new Set(sink.of(metric).map((s) => s.labels?.scope));
      expect(scopes).toEqual(new Set(['process', 'host']));
    }
    for (const s of sink.samples) {
      expect(s.value).toBeGreaterThanOrEqual(0);
      expect(s.value).toBeLessThanOrEqual(100);
      expect(s.labels?.agent).toBe('a1');
    }
  });

  it('refuses a sampling interval under 100 ms', () => {
    expect(() => startSystemSampler(new CollectingSink(), { intervalMilliseconds: 5 })).toThrow('at least 100');
  });
});
