import type { SpendRecord } from '../../../shared/budget/price-cost-event';
import { unpricedAlertIdOf, type PricingAlert } from '../../../shared/contracts/pricing-alert';
import type { Logger } from '../../../shared/logging/logger';
import { markUnpricedAlertPublished, recordUnpricedAlert } from '../../../shared/store/unpriced-models-store';
import { loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import type { PriceSource } from './price-source';

/**
 * After a provisional charge is committed: one operator alert per model and UTC day (recorded
 * once in Firestore, published to the alerts topic), and the model remembered for re-pricing.
 * An instance asks Firestore once per model and day, not once per event.
 */
export function unpricedModelAlerts(prices: PriceSource, log: Logger): (record: SpendRecord) => Promise<void> {
  const alertsTopic = loadTopology().topics.alerts;
  const done = new Set<string>();
  return async (record) => {
    const model = record.usage?.model;
    const chargedAs = record.pricedWith;
    if (!model || !chargedAs?.provisional) return;
    prices.chargedProvisionally(model);
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const alertId = unpricedAlertIdOf(model, day);
    if (done.has(alertId)) return;
    const alert: PricingAlert = { schemaVersion: 1, alertId, kind: 'pricing', status: 'UNPRICED_MODEL', severity: 'WARNING', model, chargedAs: `${chargedAs.model}@${chargedAs.effectiveFrom}`, day, at: now.toISOString() };
    if (await recordUnpricedAlert(firestore(), alert)) {
      const messageId = await pubsub().topic(alertsTopic).publishMessage({ json: alert, attributes: { alertId, kind: alert.kind, severity: alert.severity } });
      await markUnpricedAlertPublished(firestore(), alertId, messageId);
      log.warn({ model, chargedAs: alert.chargedAs, alertId }, `model ${model} has no price: charged provisionally as ${alert.chargedAs}`);
    }
    done.add(alertId);
  };
}
