import { DASHBOARD_DEFAULTS, dashboardOptions } from '../../../functions/dashboard/dashboard-options';
import { OptionsError } from '../../../shared/contracts/validation-error';

describe('dashboardOptions', () => {
  it('fills in the defaults', () => {
    expect(dashboardOptions()).toEqual(DASHBOARD_DEFAULTS);
    expect(dashboardOptions({ minRefreshMilliseconds: 2000 }).minRefreshMilliseconds).toBe(2000);
  });

  it('names each bad value', () => {
    expect(() => dashboardOptions({ minRefreshMilliseconds: 0 })).toThrow(OptionsError);
    expect(() => dashboardOptions({ minRefreshMilliseconds: 0 })).toThrow(/minRefreshMilliseconds: must be a positive integer/);
    expect(() => dashboardOptions({ windows: ['1h', 'soon'] })).toThrow(/windows: "soon" is not a window/);
    expect(() => dashboardOptions({ defaultWindow: '2h' })).toThrow(/defaultWindow: must be one of the windows/);
  });
});
