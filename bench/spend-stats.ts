/**
 * What the spend-aggregator says it did during one bench scenario, summed from its `throughput`
 * log lines (functions/common/throughput-stats.ts): commits and their latency, evaluations, the
 * gate's decisions and every Firestore read by what it was for.
 */
import { fixed } from './bench-support';

interface StageTotals {
  count: number;
  items: number;
  milliseconds: number;
}

export class SpendStats {
  private readonly stages = new Map<string, StageTotals>();

  /** Adds one log line if it is a throughput line; other lines are ignored. */
  addLine(line: string): void {
    if (!line.includes('"message":"throughput"')) return;
    let parsed: { stats?: Record<string, { count: number; items: number; meanMilliseconds: number }> };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      return;
    }
    for (const [name, s] of Object.entries(parsed.stats ?? {})) {
      const into = this.stages.get(name) ?? { count: 0, items: 0, milliseconds: 0 };
      into.count += s.count;
      into.items += s.items;
      into.milliseconds += s.meanMilliseconds * s.count;
      this.stages.set(name, into);
    }
  }

  stage(name: string): StageTotals {
    return this.stages.get(name) ?? { count: 0, items: 0, milliseconds: 0 };
  }

  /** Firestore reads (documents, aggregation reads) by kind. */
  reads(): Map<string, number> {
    return new Map([...this.stages].filter(([name]) => name.startsWith('reads:')).map(([name, s]) => [name.slice('reads:'.length), s.items]));
  }

  totalReads(): number {
    return [...this.reads().values()].reduce((a, b) => a + b, 0);
  }

  /** One line: where an event's time goes and what was read. */
  describe(events: number): string {
    const commit = this.stage('commit');
    const evaluation = this.stage('evaluation');
    const gate = [...this.stages].filter(([name]) => name.startsWith('gate:')).map(([name, s]) => `${name.slice(5)} ${s.items}`);
    const reads = [...this.reads()].map(([kind, n]) => `${kind} ${n}`);
    return [
      `${commit.count} commits (mean ${fixed(commit.items / commit.count, 1)} events, ${fixed(commit.milliseconds / commit.count, 1)} ms)`,
      `${evaluation.count} evaluation runs (mean ${fixed(evaluation.milliseconds / evaluation.count, 1)} ms)`,
      `gate: ${gate.join(', ') || '-'}`,
      `reads ${this.totalReads()} = ${fixed(this.totalReads() / events, 3)}/event (${reads.join(', ') || 'none'})`,
    ].join('; ');
  }
}
