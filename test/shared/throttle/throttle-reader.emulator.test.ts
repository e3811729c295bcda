import { Firestore } from '@google-cloud/firestore';
import { startEmulator, type EmulatorHandle } from '../../../bin/stack/emulators';
import { freePort } from '../../../bin/stack/ports';
import { periodOf } from '../../../shared/basics/period';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { createLogger } from '../../../shared/logging/logger';
import { flagsRef } from '../../../shared/store/throttle-flags-store';
import { createThrottleReader, THROTTLE_READER_DEFAULTS, type ReaderState } from '../../../shared/throttle/throttle-reader';
import { testProjectId, waitFor } from '../../support/test-stack';

const flag = (level: 'throttled' | 'blocked') => ({ level, ratio: 1, spentMicros: 1, budgetMicros: 1, setAt: new Date().toISOString(), configVersion: 0 });
const writeFlags = (db: Firestore, periodId: string, budgets: Record<string, ReturnType<typeof flag>>) => flagsRef(db, periodId).set({ period: periodId, budgets }, { merge: true });
/** A clock the test moves by hand, set in a month no other test writes to. */
const manualClock = (at: string) => {
  let now = Date.parse(at);
  return { clock: () => new Date(now), advance: (milliseconds: number) => (now += milliseconds) };
};

describe('ThrottleReader', () => {
  it('refuses bad options', () => {
    expect(() => createThrottleReader({ projectId: 'demo-x', failMode: 'maybe' as never })).toThrow(OptionsError);
    expect(() => createThrottleReader({ projectId: 'demo-x', healthCheckIntervalMilliseconds: 0 })).toThrow(/healthCheckIntervalMilliseconds/);
  });

  describe('on its own Firestore emulator', () => {
    let emulator: EmulatorHandle;
    let db: Firestore;
    const projectId = testProjectId();

    beforeAll(async () => {
      emulator = await startEmulator('firestore', { port: await freePort() });
      // FIRESTORE_EMULATOR_HOST (the run's shared emulator) would override `host`: hide it while constructing.
      const shared = process.env.FIRESTORE_EMULATOR_HOST;
      delete process.env.FIRESTORE_EMULATOR_HOST;
      try {
        db = new Firestore({ projectId, host: emulator.hostPort, ssl: false, customHeaders: { Authorization: 'Bearer owner' } });
      } finally {
        process.env.FIRESTORE_EMULATOR_HOST = shared;
      }
    });
    afterAll(async () => {
      await db.terminate();
      await emulator.stop();
    });

    it('answers from memory what the flags document says, live', async () => {
      const reader = await createThrottleReader({ firestore: db }).ready();
      expect(reader.state()).toBe('live');
      expect(reader.throttleLevel('AI_API_CALLS')).toBe('none');
      await writeFlags(db, periodOf(new Date()).id, { AI_API_CALLS: flag('throttled') });
      await waitFor(async () => reader.throttleLevel('AI_API_CALLS'), (l) => l === 'throttled', 10_000, 'the flag');
      expect(reader.snapshot()).toEqual({ AI_API_CALLS: 'throttled' });
      await reader.close();
    });

    it('fails open or closed, as configured, once Firestore stops answering — and recovers', async () => {
      const periodId = periodOf(new Date()).id;
      await writeFlags(db, periodId, { STORAGE: flag('throttled') });
      const states: ReaderState[] = [];
      const options = { firestore: db, unavailableAfterMilliseconds: 1000, healthCheckIntervalMilliseconds: 200, healthCheckTimeoutMilliseconds: 300 };
      const open = await createThrottleReader({ ...options, failMode: 'open', onStateChange: (s) => states.push(s) }).ready();
      const closed = await createThrottleReader({ ...options, failMode: 'closed' }).ready();
      expect(open.throttleLevel('STORAGE')).toBe('throttled');
      expect(closed.throttleLevel('COMPUTE')).toBe('none');

      emulator.process.freeze(); // SIGSTOP: the emulator stops answering
      try {
        await waitFor(async () => open.state(), (s) => s === 'unavailable', 10_000, 'the open reader to notice');
        expect(open.throttleLevel('STORAGE')).toBe('none');
        await waitFor(async () => closed.state(), (s) => s === 'unavailable', 10_000, 'the closed reader to notice');
        expect(closed.throttleLevel('COMPUTE')).toBe('blocked');
      } finally {
        emulator.process.thaw();
      }
      await waitFor(async () => open.state(), (s) => s === 'live', 15_000, 'recovery');
      expect(open.throttleLevel('STORAGE')).toBe('throttled');
      expect(states).toEqual(expect.arrayContaining(['live', 'unavailable']));
      await Promise.all([open.close(), closed.close()]);
    });

    it('ages its last confirmed read by its clock, not the system clock', async () => {
      const time = manualClock('2031-05-15T12:00:00Z');
      const reader = await createThrottleReader({ firestore: db, clock: time.clock, logger: createLogger({ component: 'test', level: 'silent' }) }).ready();
      // Closed even when an expectation fails: a live listener would keep afterAll from terminating db.
      try {
        expect(reader.state()).toBe('live');
        time.advance(THROTTLE_READER_DEFAULTS.unavailableAfterMilliseconds + 1);
        expect(reader.state()).toBe('unavailable');
        expect(reader.throttleLevel('COMPUTE')).toBe('none');
        // A snapshot confirms at the clock's time, so the reader is live again at the advanced time.
        await writeFlags(db, periodOf(time.clock()).id, { COMPUTE: flag('throttled') });
        await waitFor(async () => reader.state(), (s) => s === 'live', 10_000, 'the snapshot');
        expect(reader.throttleLevel('COMPUTE')).toBe('throttled');
      } finally {
        await reader.close();
      }
    });

    it('logs its state changes when no onStateChange is given: WARNING when unavailable, INFO otherwise', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = createLogger({ component: 'reader-test', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
      const time = manualClock('2031-06-15T12:00:00Z');
      const reader = await createThrottleReader({ firestore: db, failMode: 'closed', clock: time.clock, logger }).ready();
      try {
        time.advance(THROTTLE_READER_DEFAULTS.unavailableAfterMilliseconds + 1);
        expect(reader.throttleLevel('COMPUTE')).toBe('blocked');
        await writeFlags(db, periodOf(time.clock()).id, {});
        await waitFor(async () => reader.state(), (s) => s === 'live', 10_000, 'recovery');
      } finally {
        await reader.close();
      }
      expect(lines.map((l) => [l.severity, l.state, l.previous])).toEqual([
        ['INFO', 'live', 'connecting'],
        ['WARNING', 'unavailable', 'live'],
        ['INFO', 'live', 'unavailable'],
        ['INFO', 'closed', 'live'],
      ]);
      expect(lines[1]).toMatchObject({ component: 'reader-test', failMode: 'closed', message: expect.stringContaining('"blocked"') });
    });
  });
});
