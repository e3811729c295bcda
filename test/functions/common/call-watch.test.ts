import { EventEmitter } from 'node:events';
import type { grpc } from 'google-gax';
import { CALL_WATCH_DEFAULTS, CallWatch } from '../../../functions/common/call-watch';
import { createLogger } from '../../../shared/logging/logger';

type Line = { severity: string; message: string; operation: string; failedCalls: number; code?: number };

/**
 * The watch's bookkeeping, driven through the transformer grpc-js hands each call (the failure
 * paths against real emulators are in call-watch.emulator.test.ts). Calls here fail or answer at
 * once, so no slow timer fires; the clock is the test's.
 */
describe('CallWatch', () => {
  let now = 0;
  let lines: Line[] = [];
  let watch: CallWatch;
  beforeEach(() => {
    now = 0;
    lines = [];
    const log = createLogger({ component: 'call-watch-unit', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } });
    watch = new CallWatch(log, {}, () => now);
  });

  /** One call of `path` that ends with `code` (0 = OK) straight away. */
  const call = (code: number, path = '/google.firestore.v1.Firestore/Commit', stream = false): void => {
    const surface = new EventEmitter();
    watch.transformer({ methodDefinition: { path, requestStream: stream, responseStream: stream }, call: surface } as unknown as grpc.CallProperties<unknown, unknown>);
    surface.emit('status', { code, details: '', metadata: undefined });
  };
  const UNAVAILABLE = 14;

  it('warns at the first transient failure, counts the next ones into the recovery line', () => {
    call(0);
    call(UNAVAILABLE);
    now += 1_000;
    call(UNAVAILABLE);
    call(0);
    expect(lines.map((l) => [l.severity, l.message, l.failedCalls])).toEqual([
      ['WARNING', 'Firestore/Commit calls are failing', 1],
      ['INFO', 'Firestore/Commit calls answer again', 1],
    ]);
    expect(lines[0]).toMatchObject({ operation: 'Firestore/Commit', code: UNAVAILABLE });
  });

  it('gives a short episode inside the quiet interval no line, and reports its calls in the next warning', () => {
    call(UNAVAILABLE);
    call(0);
    now += 10_000;
    call(UNAVAILABLE); // a second episode, 10 s after the warning: counted only
    call(0);
    expect(lines).toHaveLength(2);
    now += CALL_WATCH_DEFAULTS.warningIntervalMilliseconds;
    call(UNAVAILABLE);
    expect(lines[2]).toMatchObject({ severity: 'WARNING', failedCalls: 2 });
  });

  it('refuses a bound or interval that is not positive', () => {
    expect(() => new CallWatch(createLogger({ component: 'x', level: 'silent' }), { slowMilliseconds: 0 })).toThrow(/slowMilliseconds/);
    expect(() => new CallWatch(createLogger({ component: 'x', level: 'silent' }), { warningIntervalMilliseconds: -1 })).toThrow(/warningIntervalMilliseconds/);
  });

  it('keeps operations apart', () => {
    call(UNAVAILABLE, '/google.pubsub.v1.Publisher/Publish');
    call(UNAVAILABLE, '/google.firestore.v1.Firestore/BatchGetDocuments');
    expect(lines.map((l) => l.operation)).toEqual(['Publisher/Publish', 'Firestore/BatchGetDocuments']);
  });

  it('takes an answer that refuses the request (NOT_FOUND, ABORTED) as the backend working, and ignores open streams', () => {
    call(UNAVAILABLE);
    call(5); // NOT_FOUND ends the episode
    call(10); // ABORTED: transaction contention, not an outage
    call(UNAVAILABLE, '/google.firestore.v1.Firestore/Listen', true);
    expect(lines.map((l) => l.severity)).toEqual(['WARNING', 'INFO']);
  });
});
