import { unknownModelPolicy } from '../../../../functions/common/prices/price-source';

describe('unknownModelPolicy', () => {
  it('reads GOVERNOR_UNKNOWN_MODEL_PRICE, refusing a malformed one by name', () => {
    expect(unknownModelPolicy({})).toEqual({});
    expect(unknownModelPolicy({ GOVERNOR_UNKNOWN_MODEL_PRICE: ' ' })).toEqual({});
    expect(unknownModelPolicy({ GOVERNOR_UNKNOWN_MODEL_PRICE: 'gemini-2.5-pro' })).toEqual({ chargeAs: 'gemini-2.5-pro' });
    expect(() => unknownModelPolicy({ GOVERNOR_UNKNOWN_MODEL_PRICE: 'two words' })).toThrow(/GOVERNOR_UNKNOWN_MODEL_PRICE/);
  });
});
