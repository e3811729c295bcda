import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../bin/stack/repo-root';
import { startProcess, type ManagedProcess } from '../bin/stack/process-group';
import type { WorkerConfig } from './hard-budget-agents';

/** One agent's report from a worker process. */
export interface AgentReport {
  type: 'done' | 'holding';
  agent: number;
  calls: number;
  spentMicros: number;
  lastRefusal?: string;
  /** Calls that failed for another reason than a refusal (contention the retries did not absorb). */
  errors?: number;
  lastError?: string;
  stats?: Record<string, number>;
  /** Added latency per call (µs): calls a lease covered, and calls that waited for a round trip. */
  covered: number[];
  roundTrip: number[];
}

export interface AgentProcess {
  process: ManagedProcess;
  ready: Promise<void>;
  /** Resolves with every agent's `done` report once the process exits cleanly. */
  finished: Promise<AgentReport[]>;
  /** Resolves once every agent of a `hold` worker reports holding. */
  holding: Promise<AgentReport[]>;
}

const WORKER = join(repoRoot(), 'dist/bench/hard-budget-agents.js');

/** Starts a worker process of agents (bench/hard-budget-agents.ts, compiled), with the environment given. */
/** A worker's config; the fleet picks where the reports go. */
export type AgentProcessConfig = Omit<WorkerConfig, 'reportPrefix'>;

export function startAgentProcess(options: AgentProcessConfig, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): AgentProcess {
  const dir = mkdtempSync(join(tmpdir(), 'governor-agents-'));
  const config: WorkerConfig = { ...options, reportPrefix: join(dir, 'agent') };
  const withLatencies = (r: AgentReport): AgentReport => ({ ...r, ...(JSON.parse(readFileSync(`${config.reportPrefix}-${r.agent}.json`, 'utf8')) as Pick<AgentReport, 'covered' | 'roundTrip'>) });
  const reports: AgentReport[] = [];
  const holds: AgentReport[] = [];
  let onReady!: () => void;
  let onHolding!: (r: AgentReport[]) => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const holding = new Promise<AgentReport[]>((resolve) => (onHolding = resolve));
  const managed = startProcess({
    name: config.name,
    command: process.execPath,
    args: [...nodeArgs, WORKER, JSON.stringify(config)],
    env,
    onLine: (line) => {
      // Output lines arrive whole only when short: the worker keeps its lines short.
      if (!line.startsWith('{"type"')) return;
      const message = JSON.parse(line) as AgentReport | { type: 'ready' | 'exit' };
      if (message.type === 'ready') onReady();
      if (message.type === 'done') reports.push(message as AgentReport);
      if (message.type === 'holding') {
        holds.push(withLatencies(message as AgentReport));
        if (holds.length === config.agents) onHolding(holds);
      }
    },
  });
  const finished = new Promise<AgentReport[]>((resolve, reject) => {
    managed.child.once('exit', (code) => {
      try {
        if (code === 0) resolve(reports.map(withLatencies));
        else reject(new Error(`${config.name} exited with ${code}:\n${managed.tail()}`));
      } catch (error) {
        reject(error as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  // A killed worker (the crash tests) rejects `finished`; that is only an error to whoever awaits it.
  finished.catch(() => undefined);
  // A worker that dies before it is ready must fail the caller, not hang it.
  const readyOrDied = Promise.race([ready, finished.then(() => undefined)]);
  return { process: managed, ready: readyOrDied, finished, holding };
}
