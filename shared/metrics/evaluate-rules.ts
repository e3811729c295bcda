import type { AlertRule } from './alert-rules';
import { clearAtOf } from './alert-rules';

export type RuleState = 'ok' | 'breached';
export type Transition = 'raise' | 'clear' | null;

/**
 * Hysteresis: ok → breached when the value crosses the limit; breached → ok only once it is back
 * past the clear point. No value (no or too little data) changes nothing.
 */
export function nextRuleState(rule: AlertRule, state: RuleState, value: number | null): { state: RuleState; transition: Transition } {
  if (value === null) return { state, transition: null };
  const breached = rule.comparator === 'above' ? value > rule.limit : value < rule.limit;
  const recovered = rule.comparator === 'above' ? value < clearAtOf(rule) : value > clearAtOf(rule);
  if (state === 'ok' && breached) return { state: 'breached', transition: 'raise' };
  if (state === 'breached' && recovered) return { state: 'ok', transition: 'clear' };
  return { state, transition: null };
}
