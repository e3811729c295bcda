// bench:loadtest — the load generator's own ceiling on loopback against a trivial HTTP server,
// against autocannon's on the same server in the same run (rounds alternate), and the accuracy
// of its percentiles against the exact ones of the same requests.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTarget } from '../shared/loadtest/http-target';
import { resolveLoadPlan } from '../shared/loadtest/load-plan';
import { runOpenModel } from '../shared/loadtest/open-executor';
import { Recording, type RequestResult } from '../shared/loadtest/recording';
import { recordLoad } from '../shared/loadtest/run-load-test';
import { summarize } from '../shared/loadtest/summary';
import { fixed, percentile, table } from './bench-support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{ requests: { total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number }>;

const SETTINGS = {
  connections: 50,
  durationSeconds: Number(process.env.BENCH_SECONDS ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  // The open-model accuracy run offers this share of autocannon's measured ceiling.
  openShareOfCeiling: 0.6,
};

if (process.argv[2] === 'server') {
  // The trivial server, in its own process so it does not share the generator's event loop.
  createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1', function (this: { address(): AddressInfo }) {
    process.send!(this.address().port);
  });
} else {
  void main();
}

/** A recording that also keeps every latency, for the exact percentiles. */
class ExactRecording extends Recording {
  readonly latencies: number[] = [];
  override record(r: RequestResult): void {
    super.record(r);
    this.latencies.push(Math.round(r.latencyMilliseconds * 1000) / 1000);
  }
}

/** Governor's generator in the closed model with as many users as autocannon has connections. */
async function ours(url: string): Promise<{ rps: number; summary: ReturnType<typeof summarize> }> {
  const plan = resolveLoadPlan('bench', { stages: `${SETTINGS.connections}:${SETTINGS.durationSeconds}s`, model: 'closed' });
  const target = new HttpTarget({ url, connections: SETTINGS.connections });
  const rec = await recordLoad(plan, target, {});
  return { rps: rec.total.count / (rec.lastEndOffsetMilliseconds / 1000), summary: summarize(plan, target.label, rec) };
}

async function main(): Promise<void> {
  const server: ChildProcess = fork(__filename, ['server']);
  const port = await new Promise<number>((r) => server.once('message', (m) => r(m as number)));
  const url = `http://127.0.0.1:${port}/`;
  const rows: string[][] = [['round', 'autocannon req/s', 'governor closed req/s', 'ratio', 'autocannon p50/p99 ms', 'governor p50/p99 ms']];
  const ratios: number[] = [];
  const ceilings: number[] = [];
  try {
    await autocannon({ url, connections: SETTINGS.connections, duration: 1 }); // warm-up of the server
    for (let round = 1; round <= SETTINGS.rounds; round++) {
      const ac = await autocannon({ url, connections: SETTINGS.connections, duration: SETTINGS.durationSeconds });
      const acRps = ac.requests.total / SETTINGS.durationSeconds;
      const g = await ours(url);
      ratios.push(g.rps / acRps);
      ceilings.push(acRps);
      const l = g.summary.latencyMilliseconds;
      rows.push([String(round), fixed(acRps, 0), fixed(g.rps, 0), fixed(g.rps / acRps, 2), `${ac.latency.p50}/${ac.latency.p99}`, `${fixed(l.p50 ?? NaN, 2)}/${fixed(l.p99 ?? NaN, 2)}`]);
    }
    process.stdout.write(`Closed model, ${SETTINGS.connections} connections, ${SETTINGS.durationSeconds} s per run, rounds alternating:\n${table(rows)}\n`);
    const sortedRatios = [...ratios].sort((a, b) => a - b);
    const median = sortedRatios[Math.floor(sortedRatios.length / 2)]!;
    process.stdout.write(`median ratio governor/autocannon: ${fixed(median, 2)} (target ≥ 0.80: ${median >= 0.8 ? 'met' : 'missed'})\n\n`);

    // Open model at a share of the ceiling: does it offer the planned rate, and are its percentiles right?
    const rate = Math.round(percentile(ceilings, 50) * SETTINGS.openShareOfCeiling);
    const plan = resolveLoadPlan('bench', { stages: `${rate}:${SETTINGS.durationSeconds}s` });
    const rec = new ExactRecording(1, 1000, Date.now());
    const target = new HttpTarget({ url, connections: SETTINGS.connections });
    await runOpenModel(plan, target, rec, {});
    const s = summarize(plan, target.label, rec);
    const acc: string[][] = [['percentile', 'sketch ms', 'exact ms', 'relative error']];
    let worst = 0;
    const sorted = [...rec.latencies].sort((a, b) => a - b);
    for (const q of [50, 90, 95, 99, 99.9]) {
      const est = rec.total.quantileMilliseconds(q / 100)!;
      // The same rank DDSketch uses (q × (n − 1)), so only the sketch's value error is measured.
      const exact = sorted[Math.floor((q / 100) * (sorted.length - 1))]!;
      const err = Math.abs(est - exact) / exact;
      worst = Math.max(worst, err);
      acc.push([`p${q}`, fixed(est, 3), fixed(exact, 3), `${fixed(err * 100, 2)} %`]);
    }
    process.stdout.write(`Open model at ${rate} req/s (${SETTINGS.openShareOfCeiling * 100} % of autocannon's median ceiling) for ${SETTINGS.durationSeconds} s: ${s.totals.requests} requests, achieved ${s.rps} req/s, ${s.totals.failed} failed, unsent ${s.totals.unsent}, dispatch lag p50 ${s.dispatchLagMilliseconds.p50} ms / p99 ${s.dispatchLagMilliseconds.p99} ms\n${table(acc)}\nworst percentile error ${fixed(worst * 100, 2)} % (DDSketch bound 1 %)\n`);
  } finally {
    server.kill();
  }
}
