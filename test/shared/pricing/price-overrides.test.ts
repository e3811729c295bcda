import { routesFor, defaultAlertRouting } from '../../../shared/alerts/alert-routing';
import { renderAlertEmail } from '../../../shared/alerts/render-alert';
import { parseAlert } from '../../../shared/contracts/alert';
import { unpricedAlertIdOf } from '../../../shared/contracts/pricing-alert';
import { checkNewPrice, firstPriceOf, parseModelPrice, PriceChangeError, withEntries } from '../../../shared/pricing/price-overrides';
import { PRICE_TABLE } from '../../../shared/pricing';

const entry = (fields: Record<string, unknown>) => parseModelPrice({ unit: 'token', per: 1_000_000, source: 'test', ...fields });
const today = '2026-12-07';

describe('price overrides', () => {
  describe('checkNewPrice', () => {
    it('accepts a later price within 10× of the one it follows, and a first price from any date', () => {
      expect(() => checkNewPrice(PRICE_TABLE, entry({ model: 'gemini-2.5-flash', input: '0.35', output: '3.00', effectiveFrom: today }), { today })).not.toThrow();
      expect(() => checkNewPrice(PRICE_TABLE, entry({ model: 'gemini-9-flash', input: '90', output: '900', effectiveFrom: '2026-01-01' }), { today })).not.toThrow();
    });

    it('never edits history: same date, before the latest entry, or a past date for a priced model', () => {
      const at = (effectiveFrom: string) => entry({ model: 'gemini-2.5-flash', input: '0.30', output: '2.50', effectiveFrom });
      expect(() => checkNewPrice(PRICE_TABLE, at('2025-06-17'), { today })).toThrow(/already has a price from 2025-06-17/);
      expect(() => checkNewPrice(PRICE_TABLE, entry({ model: 'gemini-3.8-flash', input: '1.50', output: '7.50', effectiveFrom: '2026-12-20' }), { today })).toThrow(/has a price from 2027-01-01; a new one must start after it/);
      expect(() => checkNewPrice(PRICE_TABLE, at('2026-12-01'), { today })).toThrow(/in the past/);
    });

    it('refuses a rate more than 10× away unless forced, in either direction', () => {
      const jump = entry({ model: 'gemini-2.5-flash', input: '0.029', output: '2.50', effectiveFrom: today });
      expect(() => checkNewPrice(PRICE_TABLE, jump, { today })).toThrow(PriceChangeError);
      expect(() => checkNewPrice(PRICE_TABLE, jump, { today })).toThrow(/input 0.30 → 0.029 is more than 10× away/);
      expect(() => checkNewPrice(PRICE_TABLE, jump, { today, force: true })).not.toThrow();
    });

    it('refuses bad fields by name and a change of unit', () => {
      expect(() => entry({ model: 'm', input: 'cheap', output: '1', effectiveFrom: today })).toThrow(/input/);
      expect(() => entry({ model: 'm', input: '1', output: '1', effectiveFrom: '2026-13-01' })).toThrow(/effectiveFrom/);
      expect(() => checkNewPrice(PRICE_TABLE, parseModelPrice({ model: 'gemini-1.5-flash', unit: 'token', per: 1_000_000, input: '0.1', output: '0.1', effectiveFrom: today, source: 's' }), { today })).toThrow(/priced per char/);
    });
  });

  it('finds a model’s first price (what its provisional charges are re-priced at)', () => {
    const table = withEntries(PRICE_TABLE, [entry({ model: 'gemini-9-flash', input: '1', output: '2', effectiveFrom: '2026-06-01' }), entry({ model: 'gemini-9-flash', input: '2', output: '4', effectiveFrom: '2026-09-01' })]);
    expect(firstPriceOf(table, 'gemini-9-flash')?.effectiveFrom).toBe('2026-06-01');
    expect(firstPriceOf(table, 'gemini-10')).toBeUndefined();
  });
});

describe('the pricing alert', () => {
  const alert = parseAlert({ schemaVersion: 1, alertId: unpricedAlertIdOf('gemini-4-flash', today), kind: 'pricing', status: 'UNPRICED_MODEL', severity: 'WARNING', model: 'gemini-4-flash', chargedAs: 'gemini-3.5-flash@2026-05-19', day: today, at: `${today}T10:00:00.000Z` });

  it('is routed by kind and model, and says what to do', () => {
    expect(routesFor(defaultAlertRouting({}), alert)).toHaveLength(1);
    const email = renderAlertEmail([alert], new Date(`${today}T10:30:00Z`));
    expect(email.subject).toBe('[Governor WARNING] Model gemini-4-flash has no price: its spend is charged provisionally as gemini-3.5-flash@2026-05-19');
    expect(email.text).toContain('npx governor prices add gemini-4-flash');
  });
});
