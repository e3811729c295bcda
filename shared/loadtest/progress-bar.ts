import type { ProgressSnapshot } from './progress';

const WIDTH = 24;

/** One line: bar, elapsed/planned, rate, p95 and errors of the last interval. */
export function renderProgress(p: ProgressSnapshot): string {
  const share = p.plannedSeconds > 0 ? Math.min(1, p.elapsedSeconds / p.plannedSeconds) : 1;
  const full = Math.round(share * WIDTH);
  const bar = `${'█'.repeat(full)}${'░'.repeat(WIDTH - full)}`;
  const p95 = p.p95Milliseconds === null ? '-' : `${p.p95Milliseconds.toFixed(1)} ms`;
  const errors = p.requests === 0 ? '0' : `${p.failed} (${((p.failed / p.requests) * 100).toFixed(1)} %)`;
  return `${bar} ${p.elapsedSeconds.toFixed(0)}/${p.plannedSeconds.toFixed(0)} s  ${p.rps.toFixed(0)} req/s  p95 ${p95}  requests ${p.requests}  errors ${errors}`;
}

/**
 * Redraws one line on a terminal; on anything else (a pipe, a CI log) it writes nothing, so the
 * summary and `--json` output stay clean.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { update(p: ProgressSnapshot): void; done(): void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let drawn = false;
  return {
    update(p) {
      stream.write(`\r\x1b[2K${renderProgress(p)}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
