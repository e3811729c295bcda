import { createLogger } from '../../shared/logging/logger';
import { firestore } from '../common/clients';
import { faultRate, maybeInjectFault } from '../common/fault-injection';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { recordCostEvent } from './record-cost-event';

const rate = faultRate();
const log = createLogger({ component: 'spend-aggregator' });

/** Consumes cost events: records each event once, idempotent by its eventId. */
export const spendAggregator = pubsubConsumer({
  target: 'spendAggregator',
  eventType: 'cost',
  async handle(event, message) {
    maybeInjectFault('before-commit', rate);
    const recorded = await recordCostEvent(firestore(), event, message.messageId, new Date());
    log.debug({ eventId: event.eventId, messageId: message.messageId, duplicate: !recorded }, recorded ? 'event recorded' : 'duplicate event ignored');
    maybeInjectFault('after-commit', rate);
  },
});
