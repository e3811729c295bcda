import { AggregateField, type Firestore } from '@google-cloud/firestore';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { COLLECTIONS } from '../../shared/basics/collections';
import { readSpendTotals } from '../../shared/store/spend-shards';
import { waitFor } from './test-stack';

/** Events counted in a period's shards, and the ledger entries of that period. */
export async function countedEvents(db: Firestore, periodId: string): Promise<{ shardEvents: number; ledgerEntries: number; shardCommits: number }> {
  const [shards, ledger] = await Promise.all([
    db.collection(COLLECTIONS.spendShards).where('period', '==', periodId).aggregate({ events: AggregateField.sum('events'), commits: AggregateField.sum('commits') }).get(),
    db.collection(COLLECTIONS.costEvents).where('period', '==', periodId).count().get(),
  ]);
  return { shardEvents: shards.data().events ?? 0, shardCommits: shards.data().commits ?? 0, ledgerEntries: ledger.data().count };
}

export async function waitForCounted(db: Firestore, periodId: string, expected: number, timeoutMilliseconds = 60_000): Promise<void> {
  await waitFor(() => countedEvents(db, periodId), (c) => c.shardEvents >= expected, timeoutMilliseconds, `${expected} counted events`);
}

export { readSpendTotals };

/** Collects what the functions publish to the alerts topic, by alert id. */
export async function probeAlerts(pubsub: PubSub, alertsTopic: string): Promise<{ counts: Map<string, number>; messages: Record<string, unknown>[]; close(): Promise<void> }> {
  const [subscription] = await pubsub.topic(alertsTopic).createSubscription(`alerts-probe-${Date.now()}`);
  const counts = new Map<string, number>();
  const messages: Record<string, unknown>[] = [];
  subscription.on('message', (m: Message) => {
    const alert = JSON.parse(m.data.toString('utf8')) as Record<string, unknown>;
    messages.push(alert);
    counts.set(String(alert.alertId), (counts.get(String(alert.alertId)) ?? 0) + 1);
    m.ack();
  });
  return { counts, messages, close: () => subscription.close() };
}
