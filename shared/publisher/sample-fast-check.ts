import { METRIC_TYPES, type MetricType } from '../contracts/vocabulary';
import type { MetricSampleInput } from '../metrics/measure';

/**
 * The wire rules of one metric sample without zod, for samples whose label set already passed the
 * full check: a governed call records three samples, and three schema parses were most of the
 * call's overhead (P9). Anything this cannot vouch for goes to the full check, which names the
 * field; the answers are the same either way (test/shared/publisher/sample-fast-check.test.ts).
 */
const KNOWN_METRICS: ReadonlySet<string> = new Set(METRIC_TYPES);
const PERCENT: ReadonlySet<MetricType> = new Set(['ERROR_RATE', 'CPU_USAGE', 'MEMORY_USAGE', 'CACHE_HIT_RATE']);

export const SAMPLE_CHECK_DEFAULTS = {
  // Label sets remembered as valid; an agent has a few dozen series.
  maxLabelSets: 1_024,
} as const;

/** Label sets that passed the full check, keyed by their entries in order. */
const validLabelSets = new Set<string>();

function labelKeyOf(labels: Readonly<Record<string, string>>): string {
  let key = '';
  for (const k in labels) key += `${k}\u0000${labels[k]}\u0001`;
  return key;
}

/** True when the sample certainly passes the wire rules (false means: run the full check). */
export function passesFastCheck(input: MetricSampleInput): boolean {
  const v = input.value;
  if (!KNOWN_METRICS.has(input.metric) || typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (input.metric !== 'AGENT_PERFORMANCE' && v < 0) return false;
  if (PERCENT.has(input.metric) && v > 100) return false;
  return validLabelSets.has(labelKeyOf(input.labels ?? {}));
}

/** Remembers a label set the full check accepted. */
export function rememberValidLabels(labels: Readonly<Record<string, string>> | undefined): void {
  if (validLabelSets.size >= SAMPLE_CHECK_DEFAULTS.maxLabelSets) validLabelSets.clear();
  validLabelSets.add(labelKeyOf(labels ?? {}));
}
