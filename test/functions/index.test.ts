import { spawnSync } from 'node:child_process';
import { FUNCTIONS_SOURCE } from '../../bin/stack/stack';
import { DASHBOARD_FUNCTION, loadTopology } from '../../shared/topology/topology';

/**
 * Requires the built functions module in a fresh node with only `env`, counting the timers
 * anything starts while it loads, and reports what it saw.
 */
function loadFunctions(env: NodeJS.ProcessEnv) {
  const script = `
    const timers = [];
    for (const name of ['setInterval', 'setTimeout']) {
      const real = globalThis[name];
      globalThis[name] = (fn, ms, ...args) => (timers.push(name + '(' + ms + ')'), real(fn, ms, ...args));
    }
    const loaded = require(${JSON.stringify(FUNCTIONS_SOURCE)});
    process.stdout.write(JSON.stringify({ exports: Object.keys(loaded), timers, resources: process.getActiveResourcesInfo() }));
  `;
  // A module that left a timer or socket holding the event loop would never exit: the timeout kills it.
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env, timeout: 30_000 });
  return { ...result, seen: result.status === 0 ? (JSON.parse(result.stdout) as { exports: string[]; timers: string[]; resources: string[] }) : undefined };
}

// Emulator hosts on a dead port: a client built by mistake could never reach Google.
const OFFLINE = { METADATA_SERVER_DETECTION: 'none', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', PUBSUB_EMULATOR_HOST: '127.0.0.1:9' };

describe('functions/index', () => {
  it('loads in an empty environment without building anything, and exports every entry point', () => {
    const { status, stderr, seen, signal } = loadFunctions({});
    expect({ status, signal, stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    const targets = [...loadTopology({}).functions.map((f) => f.target), DASHBOARD_FUNCTION.target];
    expect([...seen!.exports].sort()).toEqual([...targets].sort());
    expect(seen!.timers).toEqual([]);
    // Only the pipes of its own stdout and stderr: no socket, no timer.
    expect(seen!.resources.filter((r) => r !== 'PipeWrap')).toEqual([]);
  });

  it('builds the FUNCTION_TARGET function while loading, and only that one', () => {
    const security = loadFunctions({ ...OFFLINE, GOOGLE_CLOUD_PROJECT: 'demo-index', FUNCTION_TARGET: 'securityMonitor' });
    expect(security.status).toBe(0);
    // The security monitor's flush of suppressed events; no other function's timer (the throughput line of the aggregators) runs.
    expect(security.seen!.timers).toEqual(['setInterval(5000)']);
    const spend = loadFunctions({ ...OFFLINE, GOOGLE_CLOUD_PROJECT: 'demo-index', FUNCTION_TARGET: 'spendAggregator' });
    expect(spend.status).toBe(0);
    expect(spend.seen!.timers).toEqual(['setInterval(60000)']);
  });

  it('fails to load, naming the variable, when the target has a bad setting', () => {
    const { status, stderr } = loadFunctions({ ...OFFLINE, GOOGLE_CLOUD_PROJECT: 'demo-index', FUNCTION_TARGET: 'spendAggregator', GOVERNOR_STATS_INTERVAL_MILLISECONDS: 'abc' });
    expect(status).not.toBe(0);
    expect(stderr).toContain("GOVERNOR_STATS_INTERVAL_MILLISECONDS: must be a non-negative integer (0 turns the line off), got 'abc'");
  });
});
