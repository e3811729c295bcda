import type { HttpFunction } from '@google-cloud/functions-framework';
import { priceCostEvent, type SpendRecord } from '../../shared/budget/price-cost-event';
import { createLogger } from '../../shared/logging/logger';
import { commitSpend, ensurePeriodStart, SPEND_DEFAULTS, type CommitResult } from '../../shared/store/spend-shards';
import { budgetEnforcement } from '../common/budget/budget-enforcement';
import { scopedBudgetsOf } from '../../shared/budget/budget-config';
import { budgetInstancesFor } from '../../shared/budget/scoped-budget';
import { firestore, pubsub } from '../common/clients';
import { maybeInjectFault } from '../common/fault-injection';
import { priceSource } from '../common/prices/price-source';
import { unpricedModelAlerts } from '../common/prices/unpriced-model-alerts';
import { GroupCommitter } from '../common/group-commit';
import { governorEvents, pubsubConsumer } from '../common/pubsub-consumer';
import { settings } from '../common/settings';
import { ThroughputStats } from '../common/throughput-stats';
import { cachedConfig } from '../common/cached-config';
import { BreakerMonitor } from '../common/runaway/breaker-monitor';
import { runawayAlertPublisher } from '../common/runaway/breaker-check';
import { loadBreakerConfig } from '../../shared/store/breaker-config-store';
import { loadTopology } from '../../shared/topology/topology';

/**
 * Consumes cost events: prices usage server-side, records each event once with its spend in a
 * sharded counter (exact under redelivery), then enforces the budgets: throttle flags and alerts.
 */
export function createSpendAggregator(): HttpFunction {
  const { faultRate: rate, statsIntervalMilliseconds } = settings();
  const log = createLogger({ component: 'spend-aggregator' });
  const stats = new ThroughputStats(log, statsIntervalMilliseconds);
  const budgets = budgetEnforcement(log, stats);
  const decodeCostEvent = governorEvents('cost');
  // Prices without a redeploy; unknown models charged provisionally (functions/common/prices/).
  const prices = priceSource(log);
  const noteProvisional = unpricedModelAlerts(prices, log);
  // Burn-rate breakers: rates kept in memory from what this instance commits (functions/common/runaway/);
  // its timers start with the first commit (the rules' first read comes a second later).
  const breakers = new BreakerMonitor({
    db: firestore(),
    config: cachedConfig(() => loadBreakerConfig(firestore()), log, 'breaker rules'),
    publishAlert: runawayAlertPublisher(pubsub(), loadTopology().topics.alerts),
    log,
    now: () => Date.now(),
    countReads: (n) => stats.count('reads:breaker', n),
    countWrites: (n) => stats.count('writes:burn-minutes', n),
  });

  const commit = async (records: SpendRecord[]): Promise<CommitResult> => {
    // The scoped budgets in force decide which counters the events add to (a budget counts what is
    // committed once an instance has read it: within a config interval of being stored).
    const scopedBudgets = scopedBudgetsOf(await budgets.config());
    const result = await stats.time('commit', records.length, () => commitSpend(firestore(), records, { scopedBudgets }));
    budgets.scoped.noteCommitted(result.scoped);
    if (result.reads > 0) stats.count('reads:duplicates', result.reads);
    // Scoped counter shards written (one per counter a committed batch adds to): bench/scopes counts writes per event.
    if (result.scoped.length > 0) stats.count('writes:scoped', result.scoped.length);
    // What this instance added, for its view of the spend (evaluation-gate.ts): duplicates add nothing.
    const recorded = new Set(result.recorded);
    breakers.noteCommitted(records, recorded);
    for (const periodId of new Set(records.map((r) => r.periodId))) {
      const ofPeriod = records.filter((r) => r.periodId === periodId);
      budgets.enforcer.noteCommitted(periodId, ofPeriod.filter((r) => recorded.has(r.event.eventId)).map((r) => ({ category: r.event.payload.category, amountMicros: r.amountMicros })));
      const first = Math.min(...ofPeriod.map((r) => Date.parse(r.event.occurredAt)));
      // One transaction per period and instance, and again only for an earlier event; the forecast
      // of this instance's next evaluation counts from the start it recorded.
      if (first >= (budgets.enforcer.knownPeriodStart(periodId)?.getTime() ?? Number.POSITIVE_INFINITY)) continue;
      budgets.enforcer.notePeriodStart(periodId, await ensurePeriodStart(firestore(), periodId, new Date(first)));
      stats.count('reads:period-start', 1);
    }
    return result;
  };

  /** Concurrent requests' events share one atomic commit: writes grow with commits, not events. */
  const committer = new GroupCommitter<SpendRecord, CommitResult>(commit, {
    maxItems: SPEND_DEFAULTS.maxEventsPerCommit,
    maxConcurrent: 4,
    // Ledger entries carry the event's JSON (up to 64 KB): keep a commit well under Firestore's
    // request limit (10 MiB; 4 MiB on the emulator).
    maxBytes: SPEND_DEFAULTS.maxCommitBytes,
    sizeOf: (r) => Buffer.byteLength(JSON.stringify(r.event)) + 512,
  });

  return pubsubConsumer({
    target: 'spendAggregator',
    decode: decodeCostEvent,
    async handle(event, message) {
      maybeInjectFault('before-commit', rate);
      const { table, unknownModels } = await prices.current();
      const record = priceCostEvent(event, table, new Date(), unknownModels);
      const result = await committer.submit(record);
      const duplicate = result.duplicates.includes(event.eventId);
      log.debug({ eventId: event.eventId, messageId: message.messageId, amountMicros: record.amountMicros, duplicate, batch: result.recorded.length + result.duplicates.length }, duplicate ? 'duplicate event ignored' : 'event recorded');
      const subject = { source: event.source, attribution: event.payload.attribution, model: record.usage?.model };
      const instances = budgetInstancesFor(scopedBudgetsOf(await budgets.config()), subject, event.payload.category, new Date(event.occurredAt));
      await Promise.all([budgets.enforceCommitted(record.periodId, event.payload.category), budgets.enforceScoped(instances)]);
      await noteProvisional(record);
      maybeInjectFault('after-commit', rate);
    },
  });
}
