import { decodeBillingNotification } from '../../../functions/billing-ingestor/decode-billing-notification';
import { EventDecodeError, PermanentEventError } from '../../../shared/contracts/event';
import { spendPeriodOf } from '../../../shared/store/billing-spend';
import { GCP_NOTIFICATION, GCP_NOTIFICATION_ATTRIBUTES } from '../../support/billing-fixtures';

const ATTRIBUTES = GCP_NOTIFICATION_ATTRIBUTES;
const message = (data: unknown, attributes: Record<string, string> = ATTRIBUTES) => ({
  data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)),
  attributes,
  messageId: '1',
  publishTime: undefined,
  subscription: undefined,
});

describe('decodeBillingNotification', () => {
  it("accepts GCP's documented notification, tolerating fields it does not know", () => {
    const decoded = decodeBillingNotification(message({ ...GCP_NOTIFICATION, somethingNew: true }));
    expect(decoded.data.costAmount).toBe(140.321);
    expect(decoded.attributes.budgetId).toBe(ATTRIBUTES.budgetId);
  });

  it('refuses a notification without a budget id, naming it', () => {
    expect(() => decodeBillingNotification(message(GCP_NOTIFICATION, { billingAccountId: 'x' }))).toThrow(/attributes\.budgetId/);
  });

  it('refuses malformed data with the decode failure class', () => {
    expect(() => decodeBillingNotification(message('{'))).toThrow(EventDecodeError);
    expect(() => decodeBillingNotification(message({ ...GCP_NOTIFICATION, costAmount: -1 }))).toThrow(/costAmount/);
  });

  it('refuses a budget in another currency as a permanent failure', () => {
    const error = (() => {
      try {
        decodeBillingNotification(message({ ...GCP_NOTIFICATION, currencyCode: 'EUR' }));
      } catch (e) {
        return e as PermanentEventError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PermanentEventError);
    expect(error?.failure).toBe('currency');
  });
});

describe('spendPeriodOf', () => {
  const at = (iso: string) => new Date(iso);
  it("counts a monthly budget's notifications, late final figures included, in the interval's month", () => {
    expect(spendPeriodOf(at('2026-11-01T07:00:00Z'), at('2026-11-20T00:00:00Z'))).toBe('2026-11');
    expect(spendPeriodOf(at('2026-11-01T07:00:00Z'), at('2026-12-02T00:00:00Z'))).toBe('2026-11');
  });

  it("counts a quarterly budget's later increases in the month they were observed", () => {
    expect(spendPeriodOf(at('2026-10-01T07:00:00Z'), at('2026-11-20T00:00:00Z'))).toBe('2026-11');
  });
});
