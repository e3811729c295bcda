import { ulid } from 'ulid';
import {
  decodeEvent,
  EventDecodeError,
  EventValidationError,
  MAX_EVENT_BYTES,
  parseEvent,
} from '../../../shared/contracts';

const envelope = (type: string, payload: unknown, overrides: Record<string, unknown> = {}) => ({
  eventId: ulid(),
  schemaVersion: 1,
  type,
  source: 'agent-7',
  occurredAt: '2026-11-26T10:00:00.000Z',
  payload,
  ...overrides,
});

function issuesOf(value: unknown): string[] {
  try {
    parseEvent(value);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return [...new Set((error as EventValidationError).issues.map((i) => i.path))];
  }
  throw new Error('expected a validation error');
}

describe('event contracts', () => {
  describe('envelope', () => {
    it('accepts an event with an RFC 3339 offset timestamp', () => {
      const event = parseEvent(envelope('cost', { category: 'STORAGE', amountMicros: 10 }, { occurredAt: '2026-11-26T10:00:00+01:00' }));
      expect(event.type).toBe('cost');
    });

    it('names each bad envelope field', () => {
      expect(issuesOf(envelope('cost', { category: 'STORAGE', amountMicros: 1 }, { eventId: 'abc' }))).toEqual(['eventId']);
      expect(issuesOf(envelope('cost', { category: 'STORAGE', amountMicros: 1 }, { occurredAt: 'yesterday' }))).toEqual(['occurredAt']);
      expect(issuesOf(envelope('cost', { category: 'STORAGE', amountMicros: 1 }, { schemaVersion: 2 }))).toEqual(['schemaVersion']);
      expect(issuesOf(envelope('cost', { category: 'STORAGE', amountMicros: 1 }, { source: '' }))).toEqual(['source']);
      expect(issuesOf(envelope('invoice', {}))).toEqual(['type']);
    });

    it('refuses unknown envelope fields so typos are caught', () => {
      expect(issuesOf(envelope('cost', { category: 'STORAGE', amountMicros: 1 }, { eventID: 'x' }))).toEqual(['']);
    });
  });

  describe('cost payload', () => {
    it('accepts amountMicros or usage', () => {
      expect(parseEvent(envelope('cost', { category: 'AI_API_CALLS', amountMicros: 150_000 })).type).toBe('cost');
      const usage = parseEvent(envelope('cost', { category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', inputTokens: 1200, outputTokens: 300 } }));
      expect(usage.payload).toMatchObject({ usage: { model: 'gemini-2.5-flash' } });
    });

    it('requires exactly one of amountMicros and usage', () => {
      expect(issuesOf(envelope('cost', { category: 'OTHER' }))).toEqual(['payload.amountMicros']);
      expect(issuesOf(envelope('cost', { category: 'OTHER', amountMicros: 1, usage: { model: 'm', inputChars: 1 } }))).toEqual(['payload.usage']);
    });

    it.each([
      ['a float', 1.5],
      ['a negative amount', -1],
      ['NaN', Number.NaN],
      ['more than a million dollars', 2_000_000_000_000],
      ['a string', '100'],
    ])('refuses %s as amountMicros', (_, amountMicros) => {
      expect(issuesOf(envelope('cost', { category: 'OTHER', amountMicros }))).toEqual(['payload.amountMicros']);
    });

    it('refuses an unknown category and an empty usage', () => {
      expect(issuesOf(envelope('cost', { category: 'TEA', amountMicros: 1 }))).toEqual(['payload.category']);
      expect(issuesOf(envelope('cost', { category: 'OTHER', usage: { model: 'gemini-2.5-flash' } }))).toEqual(['payload.usage']);
    });
  });

  describe('metric payload', () => {
    const sample = { metric: 'LATENCY', intervalStart: '2026-11-26T10:00:00Z', intervalEnd: '2026-11-26T10:00:10Z', count: 3, sum: 300, min: 50, max: 200 };

    it('accepts an interval aggregate with labels and a sketch', () => {
      const event = parseEvent(envelope('metric', { ...sample, labels: { operation: 'generate', model: 'gemini-2.5-flash' }, sketch: 'AAEC' }));
      expect(event.payload).toMatchObject({ count: 3, labels: { operation: 'generate' } });
    });

    it('refuses inconsistent aggregates', () => {
      expect(issuesOf(envelope('metric', { ...sample, min: 300 }))).toContain('payload.min');
      expect(issuesOf(envelope('metric', { ...sample, sum: 5000 }))).toEqual(['payload.sum']);
      expect(issuesOf(envelope('metric', { ...sample, intervalEnd: '2026-11-26T09:00:00Z' }))).toEqual(['payload.intervalEnd']);
      expect(issuesOf(envelope('metric', { ...sample, metric: 'CPU_USAGE', min: 10, max: 140, sum: 200, count: 2 }))).toEqual(['payload.max']);
      expect(issuesOf(envelope('metric', { ...sample, labels: { 'Bad-Key': 'x' } }))).toEqual(['payload.labels.Bad-Key']);
    });
  });

  describe('security payload', () => {
    it('accepts a failure with ip, user and key id, defaulting severity to WARNING', () => {
      const event = parseEvent(envelope('security', { kind: 'AUTHENTICATION_FAILURE', ip: '203.0.113.9', userId: 'u1', apiKeyId: 'k7Gq2' }));
      expect(event.payload).toMatchObject({ severity: 'WARNING', ip: '203.0.113.9' });
    });

    it('refuses a full API key in apiKeyId and a malformed ip', () => {
      expect(issuesOf(envelope('security', { kind: 'SECRET_ACCESS', apiKeyId: 'gov_k7Gq2_Z2l2ZSBtZSB0aGUga2V5' }))).toEqual(['payload.apiKeyId']);
      expect(issuesOf(envelope('security', { kind: 'SECRET_ACCESS', ip: '999.1.1.1' }))).toEqual(['payload.ip']);
    });
  });

  describe('decodeEvent', () => {
    const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

    it('decodes a wire message of the expected type', () => {
      const event = decodeEvent(bytes(envelope('cost', { category: 'NETWORK', amountMicros: 7 })), 'cost');
      expect(event.payload.amountMicros).toBe(7);
    });

    it.each([
      ['not-json', Buffer.from('{"eventId":')],
      ['oversize', Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20)],
      ['schema', bytes(envelope('metric', {}))],
    ])('classifies a %s failure', (failure, body) => {
      expect(() => decodeEvent(body, 'cost')).toThrow(EventDecodeError);
      try {
        decodeEvent(body, 'cost');
      } catch (error) {
        expect((error as EventDecodeError).failure).toBe(failure);
      }
    });

    it('names the type mismatch', () => {
      expect(() => decodeEvent(bytes(envelope('security', { kind: 'INVALID_INPUT' })), 'cost')).toThrow('type: expected "cost", got "security"');
    });
  });
});
