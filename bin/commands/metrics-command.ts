import type { Command } from 'commander';
import { METRIC_TYPES, METRIC_UNITS, type MetricType } from '../../shared/contracts/vocabulary';
import { clearAtOf, parseAlertRules } from '../../shared/metrics/alert-rules';
import { metricStatistics, performanceReport } from '../../shared/reports/metrics-query';
import type { Statistics } from '../../shared/metrics/statistics';
import { windowMilliseconds } from '../../shared/metrics/windows';
import { loadAlertRules, updateAlertRules } from '../../shared/store/metric-rules-store';
import { withCliContext, CliError, readJsonFile } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

function metricOf(text: string): MetricType {
  const metric = text.toUpperCase().replace(/-/g, '_') as MetricType;
  if (!METRIC_TYPES.includes(metric)) throw new CliError(`"${text}" is not a metric: ${METRIC_TYPES.join(', ')}`);
  return metric;
}

function labelsOf(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new CliError(`--label needs key=value, got "${p}"`);
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
}

function checkWindow(window: string): string {
  try {
    windowMilliseconds(window);
    return window;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

const num = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));
const collect = (value: string, previous: string[]) => [...previous, value];

function renderStats(unit: string, s: Statistics): string {
  return `n=${s.count}  mean ${num(s.mean)}  median ${num(s.median)}  p95 ${num(s.p95)}  p99 ${num(s.p99)}  min ${num(s.min)}  max ${num(s.max)} ${unit}  rate ${num(s.rate, 2)}/s`;
}

export function registerMetricsCommand(program: Command): void {
  const metrics = program.command('metrics').description('performance metrics: statistics, report, alert rules');

  metrics
    .command('stats <metric>')
    .description(`count, mean, median, p95, p99, min, max, rate and trend of a metric (${METRIC_TYPES.join(', ')})`)
    .option('--window <window>', 'window ending now: 5m, 1h, 24h or <n>s|m|h|d', '1h')
    .option('--label <key=value>', 'only series with this label (repeatable)', collect, [])
    .addOption(jsonOption())
    .action(async (name: string, opts: { window: string; label: string[] } & JsonFlag) => {
      const metric = metricOf(name);
      const window = checkWindow(opts.window);
      await withCliContext(async (ctx) => {
        const stats = await metricStatistics(ctx.firestore(), metric, window, labelsOf(opts.label));
        printResult(stats, opts, () =>
          [
            `${metric} over the last ${window} (${stats.window.start} → ${stats.window.end})${opts.label.length ? ` where ${opts.label.join(', ')}` : ''}`,
            `  ${renderStats(METRIC_UNITS[metric], stats)}`,
            `  previous ${window}: ${renderStats(METRIC_UNITS[metric], stats.previous)}`,
            `  trend: ${stats.trend.direction}${stats.trend.mean === null ? '' : ` (mean ${(stats.trend.mean * 100).toFixed(1)} %)`}`,
          ].join('\n'),
        );
      });
    });

  metrics
    .command('report')
    .description('statistics per metric and operation, alerts, and recommendations')
    .option('--window <window>', 'window ending now', '24h')
    .addOption(jsonOption())
    .action(async (opts: { window: string } & JsonFlag) => {
      const window = checkWindow(opts.window);
      await withCliContext(async (ctx) => {
        const report = await performanceReport(ctx.firestore(), window);
        printResult(report, opts, () =>
          [
            `Performance over the last ${window}`,
            ...Object.entries(report.metrics).flatMap(([metric, m]) => [
              `  ${metric}: ${renderStats(METRIC_UNITS[metric as MetricType], m.overall)}`,
              ...Object.entries(m.byOperation).map(([op, s]) => `    ${op}: ${renderStats(METRIC_UNITS[metric as MetricType], s)}`),
            ]),
            ...(report.cache
              ? [`Cache hit rate ${report.cache.hitRatePercent.toFixed(1)} % over ${report.cache.lookups} lookups — target ${report.cache.target} %: ${report.cache.met ? 'met' : 'missed'} (${Object.entries(report.cache.byTier).map(([t, share]) => `${t} ${(share * 100).toFixed(1)} %`).join(', ')})`]
              : []),
            `Alerts: ${report.alerts.length === 0 ? 'none' : ''}`,
            ...report.alerts.map((a) => `  ${a.at} ${a.status} ${a.severity} ${a.ruleId} ${JSON.stringify(a.group)} value ${a.value.toFixed(1)} (limit ${a.limit})`),
            'Recommendations:',
            ...report.recommendations.map((r) => `  - ${r.message}`),
          ].join('\n'),
        );
      });
    });

  const rules = metrics.command('rules').description('performance alert rules (thresholds with hysteresis)');
  rules
    .command('show', { isDefault: true })
    .description('the rules in force')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const loaded = await loadAlertRules(ctx.firestore());
        printResult(loaded, opts, () =>
          [
            `rules: ${loaded.origin}${loaded.rejected ? ` (stored rules rejected: ${loaded.rejected})` : ''}`,
            ...loaded.config.map((r) => `  ${r.id}: ${r.severity} when ${r.statistic} ${r.metric} ${r.comparator} ${r.limit} over ${r.window}${r.groupBy.length ? ` per ${r.groupBy.join('+')}` : ''} (clears at ${r.comparator === 'above' ? clearAtOf(r) : clearAtOf(r).toFixed(1)})`),
          ].join('\n'),
        );
      });
    });
  rules
    .command('set <file>')
    .description('replace the rules with a JSON array from a file; invalid rules change nothing')
    .action(async (file: string) => {
      const next = parseAlertRules(readJsonFile(file));
      await withCliContext(async (ctx) => {
        await updateAlertRules(ctx.firestore(), () => next);
        process.stdout.write(`${next.length} rule(s) in force\n`);
      });
    });

  metrics
    .command('tick')
    .description('publish a metric tick now (evaluate rules, export) instead of waiting for the schedule')
    .action(async () => {
      await withCliContext(async (ctx) => {
        const id = await ctx.pubsub().topic(ctx.topology.topics.metricTicks).publishMessage({ data: Buffer.from('{"tick":"manual"}') });
        process.stdout.write(`tick published (${id})\n`);
      });
    });
}
