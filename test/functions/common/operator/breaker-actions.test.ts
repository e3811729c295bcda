import { durationSeconds, parseBreakerRequest } from '../../../../functions/common/operator/breaker-actions';
import { OperatorError } from '../../../../functions/common/operator/operator-actions';

describe('breaker actions', () => {
  describe('parseBreakerRequest', () => {
    it('turns the flags into a rule: USD per minute in micros, durations in their units, the id from the scope', () => {
      expect(parseBreakerRequest({ scope: 'team:*', floor: '2.50', multiple: '5', window: '2m', cooldown: '1h', loopRepeats: '0', loopWindow: '30s', shadow: true })).toEqual({
        id: 'team-all',
        scope: 'team:*',
        floorMicrosPerMinute: 2_500_000,
        multiple: 5,
        windowSeconds: 120,
        cooldownMinutes: 60,
        loopRepeats: 0,
        loopWindowSeconds: 30,
        shadow: true,
      });
      expect(parseBreakerRequest({ floor: '1' })).toMatchObject({ id: 'agent-all', scope: 'agent:*', multiple: 10, windowSeconds: 60, cooldownMinutes: 15, shadow: false });
    });

    it('names the flag of every bad value', () => {
      const refused = (request: Parameters<typeof parseBreakerRequest>[0], message: RegExp) => {
        expect(() => parseBreakerRequest(request)).toThrow(OperatorError);
        expect(() => parseBreakerRequest(request)).toThrow(message);
      };
      refused({ floor: 'lots' }, /^--floor "lots" is not an amount in USD/);
      refused({ floor: '0' }, /^--floor: /);
      refused({ floor: '1', scope: 'org:x' }, /^--scope "org:x" is not a scope/);
      refused({ floor: '1', multiple: 'ten' }, /^--multiple "ten" is not a number/);
      refused({ floor: '1', window: '5s' }, /^--window: /);
      refused({ floor: '1', cooldown: '90s' }, /^--cooldown "90s" must be whole minutes/);
      refused({ floor: '1', loopRepeats: '-1' }, /^--loop-repeats: /);
      refused({ floor: '1', id: 'Bad Id' }, /^--id: /);
    });
  });

  it('reads durations with a unit, or a bare number in the flag’s own unit', () => {
    expect(durationSeconds('90', '--window', 's')).toBe(90);
    expect(durationSeconds('15', '--cooldown', 'm')).toBe(900);
    expect(durationSeconds('1h', '--cooldown', 'm')).toBe(3600);
    expect(() => durationSeconds('0.5s', '--window', 's')).toThrow('--window "0.5s" is not a whole number of seconds');
  });
});
