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
export function startAgentProcess(config: WorkerConfig, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): AgentProcess {
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
      if (!line.startsWith('{"type"')) return;
      const message = JSON.parse(line) as AgentReport | { type: 'ready' | 'exit' };
      if (message.type === 'ready') onReady();
      if (message.type === 'done') reports.push(message as AgentReport);
      if (message.type === 'holding') {
        holds.push(message as AgentReport);
        if (holds.length === config.agents) onHolding(holds);
      }
    },
  });
  const finished = new Promise<AgentReport[]>((resolve, reject) => {
    managed.child.once('exit', (code) => (code === 0 ? resolve(reports) : reject(new Error(`${config.name} exited with ${code}:\n${managed.tail()}`))));
  });
  // A worker that dies before it is ready must fail the caller, not hang it.
  const readyOrDied = Promise.race([ready, finished.then(() => undefined)]);
  return { process: managed, ready: readyOrDied, finished, holding };
}
