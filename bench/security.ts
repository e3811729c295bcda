/**
 * bench/security — P6: a flood of failures from one IP (10k/s offered) against the local stack:
 * the agent side emits only while its guard's ban listener says the IP is not banned (as the
 * request guard does); measured are the time from the first failure to the ban being visible to
 * the agent, and every Firestore write the security monitor made for it.
 */
import { AggregateField, Firestore } from '@google-cloud/firestore';
import { startStack } from '../bin/stack/stack';
import { createPublisher, type GovernorPublisher } from '../shared/publisher/publisher';
import { BanCache } from '../shared/security/ban-cache';
import { banRef } from '../shared/store/bans-store';
import type { BanRecord } from '../shared/security/ban-record';
import { COLLECTIONS } from '../shared/basics/collections';
import { fixed } from './bench-support';

const PROJECT = 'demo-bench-security';
const RATE_PER_SECOND = Number(process.env.BENCH_FLOOD_RATE ?? 10_000);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 3);

interface FloodResult {
  emitted: number;
  refusedByGuard: number;
  timeToBan: number;
  banWrittenAfter: number;
  strikeEvents: number;
  strikeWrites: number;
  auditDocs: number;
  suppressed: number;
  suppressedWrites: number;
  writes: number;
  reason: string;
}

async function flood(db: Firestore, bans: BanCache, publisher: GovernorPublisher, attacker: string): Promise<FloodResult> {
  const subject = { type: 'ip' as const, value: attacker };
  let emitted = 0;
  let refusedByGuard = 0;
  let bannedAt: number | undefined;
  const started = performance.now();
  const startedAt = Date.now();
  const tickMilliseconds = 10;
  const perTick = Math.round((RATE_PER_SECOND * tickMilliseconds) / 1000);
  while (performance.now() - started < FLOOD_SECONDS * 1000) {
    for (let i = 0; i < perTick; i++) {
      // What the request guard does: a banned subject is refused and emits nothing.
      if (bans.status(subject).banned) {
        bannedAt ??= performance.now();
        refusedByGuard += 1;
        continue;
      }
      publisher.recordSecurityEvent({ kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: attacker });
      emitted += 1;
    }
    await new Promise((r) => setTimeout(r, tickMilliseconds));
  }
  await publisher.flush();

  // Every emitted event is counted, or dropped as a banned subject's (flushed every 5 s).
  const counted = async () => {
    const strikes = await db.collection(COLLECTIONS.securityStrikes).where('subject', '==', attacker).aggregate({ events: AggregateField.sum('events'), writes: AggregateField.sum('writes') }).get();
    const ban = (await banRef(db, subject).get()).data() as (BanRecord & { suppressedWrites?: number }) | undefined;
    return { strikeEvents: strikes.data().events ?? 0, strikeWrites: strikes.data().writes ?? 0, suppressed: ban?.suppressedEvents ?? 0, suppressedWrites: ban?.suppressedWrites ?? 0, ban };
  };
  const waitStarted = Date.now();
  let state = await counted();
  while (state.strikeEvents + state.suppressed < emitted) {
    if (Date.now() - waitStarted > 300_000) throw new Error(`only ${state.strikeEvents + state.suppressed} of ${emitted} events accounted for`);
    await new Promise((r) => setTimeout(r, 500));
    state = await counted();
  }
  const auditDocs = (await db.collection(COLLECTIONS.securityAudit).where('payload.ip', '==', attacker).count().get()).data().count;
  const writes = state.strikeWrites + auditDocs + (state.ban ? 1 : 0) + state.suppressedWrites;
  return {
    emitted,
    refusedByGuard,
    timeToBan: bannedAt === undefined ? Number.NaN : bannedAt - started,
    banWrittenAfter: state.ban ? state.ban.bannedAt.toMillis() - startedAt : Number.NaN,
    strikeEvents: state.strikeEvents,
    strikeWrites: state.strikeWrites,
    auditDocs,
    suppressed: state.suppressed,
    suppressedWrites: state.suppressedWrites,
    writes,
    reason: state.ban?.reason ?? 'no ban',
  };
}

async function main(): Promise<void> {
  const stack = await startStack({ projectId: PROJECT, functions: ['security-monitor'] });
  Object.assign(process.env, stack.clientEnv);
  const db = new Firestore({ projectId: PROJECT });
  const bans = await new BanCache(db).start();
  const publisher = createPublisher({ projectId: PROJECT, source: 'flooded-agent', exitHook: false, batching: { maxMilliseconds: 5 }, buffer: { maxMessages: 100_000 } });
  try {
    const lines = [`bench/security — floods from one IP on the local emulator stack, this run (${new Date().toISOString()})`];
    // First against a function that has handled nothing yet (cold), then against the same, warm.
    for (const [phase, attacker] of [['cold', '203.0.113.250'], ['warm', '203.0.113.251']] as const) {
      const r = await flood(db, bans, publisher, attacker);
      lines.push(
        '',
        `${phase}: offered ${RATE_PER_SECOND.toLocaleString('en')} failures/s for ${FLOOD_SECONDS} s; the agent emitted ${r.emitted} before its ban listener saw the ban and refused ${r.refusedByGuard} after`,
        `  time from the first failure to the ban visible to the agent: ${fixed(r.timeToBan, 0)} ms (ban written after ${fixed(r.banWrittenAfter, 0)} ms)`,
        `  security monitor: ${r.strikeEvents} events counted (${r.strikeWrites} strike writes, ${r.auditDocs} audit documents), ${r.suppressed} dropped as a banned subject's (${r.suppressedWrites} writes), 1 ban (${r.reason})`,
        `  Firestore writes for the flood: ${r.writes}`,
        `  P6 banned within 2 s: ${r.timeToBan <= 2000 ? 'MET' : 'MISSED'} (${fixed(r.timeToBan, 0)} ms); ≤ 100 writes: ${r.writes <= 100 ? 'MET' : 'MISSED'} (${r.writes})`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    bans.close();
    await publisher.close();
    await db.terminate();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/security failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
