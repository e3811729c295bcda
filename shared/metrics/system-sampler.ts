import { readFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import type { MetricSink } from './measure';

export interface SystemSamplerOptions {
  /** Sampling period. */
  intervalMilliseconds?: number;
  /** Labels on every sample (the publisher adds `agent`). */
  labels?: Record<string, string>;
}

export const SYSTEM_SAMPLER_DEFAULTS = {
  intervalMilliseconds: 10_000,
} as const;

export interface SystemSampler {
  /** Stops sampling; safe to call twice. */
  stop(): void;
}

function hostCpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** Memory in use on the host: MemAvailable on Linux (free memory alone counts the page cache as used). */
function hostMemoryUsedRatio(): number {
  try {
    const available = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (available) return 1 - (Number(available) * 1024) / totalmem();
  } catch {
    // not Linux
  }
  return 1 - freemem() / totalmem();
}

const clampPercent = (v: number): number => Math.min(100, Math.max(0, v * 100));

/**
 * Samples CPU % and memory % of this process and of the host every interval, as CPU_USAGE and
 * MEMORY_USAGE with `scope: process | host`. Process CPU is a share of the whole host (all cores).
 * Started and stopped explicitly; the timer never keeps the process alive.
 */
export function startSystemSampler(sink: MetricSink, options: SystemSamplerOptions = {}): SystemSampler {
  const interval = options.intervalMilliseconds ?? SYSTEM_SAMPLER_DEFAULTS.intervalMilliseconds;
  if (!(interval >= 100)) throw new Error(`intervalMilliseconds must be at least 100, got ${interval}`);
  const labels = options.labels ?? {};
  const cores = cpus().length || 1;
  let lastProcess = process.cpuUsage();
  let lastHost = hostCpuTimes();
  let lastAt = performance.now();

  const sample = (): void => {
    const now = performance.now();
    const processUsage = process.cpuUsage(lastProcess);
    const host = hostCpuTimes();
    const elapsedMicros = (now - lastAt) * 1000;
    const hostTotal = host.total - lastHost.total;
    sink.recordMetric({ metric: 'CPU_USAGE', value: clampPercent((processUsage.user + processUsage.system) / (elapsedMicros * cores)), labels: { ...labels, scope: 'process' } });
    if (hostTotal > 0) sink.recordMetric({ metric: 'CPU_USAGE', value: clampPercent((host.busy - lastHost.busy) / hostTotal), labels: { ...labels, scope: 'host' } });
    sink.recordMetric({ metric: 'MEMORY_USAGE', value: clampPercent(process.memoryUsage.rss() / totalmem()), labels: { ...labels, scope: 'process' } });
    sink.recordMetric({ metric: 'MEMORY_USAGE', value: clampPercent(hostMemoryUsedRatio()), labels: { ...labels, scope: 'host' } });
    lastProcess = process.cpuUsage();
    lastHost = host;
    lastAt = now;
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      // A closed publisher: sampling ends with it.
      clearInterval(timer);
    }
  }, interval);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
