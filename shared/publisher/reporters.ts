import type { DropReport, PublishError } from './publish-error';

/** One Cloud Logging-shaped JSON line on stderr; the publisher avoids a logger dependency. */
function writeLine(severity: string, message: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ severity, message, component: 'governor-publisher', ...fields })}\n`);
}

/** An internal fault (a throwing callback, a failed metrics flush): logged, never thrown into the agent. */
export function reportPublisherFault(what: string, error: unknown): void {
  writeLine('ERROR', `${what}: ${error instanceof Error ? error.message : String(error)}`, {});
}

/** Runs a user callback; one that throws must not break the publisher's bookkeeping. */
export function callSafely(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    reportPublisherFault('publisher callback threw', error);
  }
}

/** Default `onError`: every failed batch is one ERROR line naming its event count and topic. */
export function reportPublishError(error: PublishError): void {
  writeLine('ERROR', error.message, { topic: error.topic, eventCount: error.eventIds.length, attempts: error.attempts });
}

/**
 * Default `onDrop`: a flood of drops must not become a flood of log lines, so drops are summed
 * and reported at most once per interval.
 */
export function createDropReporter(intervalMilliseconds = 1000): (report: DropReport) => void {
  let pending = 0;
  let latest: DropReport | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emitSummary = (): void => {
    const why = latest?.reason === 'series-limit' ? `metric series limit reached (e.g. ${latest.series})` : `buffer full (${latest?.policy})`;
    writeLine('WARNING', `publisher dropped ${pending} event(s) or sample(s): ${why}`, {
      dropped: pending,
      droppedTotal: latest?.droppedTotal,
    });
    pending = 0;
  };
  return (report) => {
    pending += report.reason === 'buffer-full' ? report.eventIds.length : report.samples;
    latest = report;
    if (timer) return;
    emitSummary();
    timer = setTimeout(() => {
      timer = undefined;
      if (pending > 0) emitSummary();
    }, intervalMilliseconds);
    timer.unref();
  };
}
