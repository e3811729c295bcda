import { deliveryKeyOf, parseAlert } from '../../../shared/contracts/alert';
import { ValidationError } from '../../../shared/contracts/validation-error';
import { budgetAlert, performanceAlert } from '../../support/alert-fixtures';

describe('parseAlert', () => {
  it('accepts each kind and names the wrong fields of its own kind only', () => {
    expect(parseAlert(budgetAlert()).kind).toBe('budget');
    expect(() => parseAlert({ ...budgetAlert(), costMicros: -1 })).toThrow(/^costMicros: /);
    expect(() => parseAlert({ ...performanceAlert(), status: 'OPEN' })).toThrow(/^status: /);
  });

  it('refuses an unknown kind with the kinds it knows', () => {
    expect(() => parseAlert({ kind: 'weather' })).toThrow(ValidationError);
    expect(() => parseAlert(null)).toThrow('kind: expected one of budget, forecast, performance, security, pricing, runaway, got undefined');
  });
});

describe('deliveryKeyOf', () => {
  it('delivers a performance alert once per status, other alerts once per id', () => {
    const raised = performanceAlert({ alertId: 'p1' });
    expect(deliveryKeyOf(raised)).toBe('p1_RAISED');
    expect(deliveryKeyOf({ ...raised, status: 'CLEARED' })).toBe('p1_CLEARED');
    expect(deliveryKeyOf(budgetAlert({ alertId: 'b1' }))).toBe('b1');
  });
});
