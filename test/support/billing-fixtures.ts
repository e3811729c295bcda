import { periodOf } from '../../shared/basics/period';

/** A Cloud Billing budget notification as GCP documents it (budgets-programmatic-notifications). */
export const GCP_NOTIFICATION = {
  budgetDisplayName: 'governor-demo-budget',
  alertThresholdExceeded: 0.5,
  costAmount: 140.321,
  // This month's interval, as a monthly budget reports it (Pacific midnight on the 1st).
  costIntervalStart: new Date(periodOf(new Date()).start.getTime() + 7 * 3_600_000).toISOString().replace('.000Z', 'Z'),
  budgetAmount: 250,
  budgetAmountType: 'SPECIFIED_AMOUNT',
  currencyCode: 'USD',
};

export const GCP_NOTIFICATION_ATTRIBUTES = {
  billingAccountId: '01D4EE-079462-DFD6EC',
  budgetId: 'de72f49d-779b-4945-a127-4d6ce8def0bb',
  schemaVersion: '1.0',
};
