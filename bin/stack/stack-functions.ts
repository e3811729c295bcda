import type { FunctionSpec, Topology } from '../../shared/topology/topology';
import { freePort } from './ports';

/**
 * The functions a local stack runs — the one list `npm start`, the tests and the benchmarks go
 * through: every function of the topology, or the named ones. A new function joins the stack here.
 */
export function stackFunctions(topology: Topology, names?: readonly string[]): FunctionSpec[] {
  const all = [...topology.functions];
  if (!names) return all;
  const unknown = names.filter((name) => !all.some((f) => f.name === name));
  if (unknown.length > 0) throw new Error(`unknown function(s): ${unknown.join(', ')}`);
  return all.filter((f) => names.includes(f.name));
}

/** Fixed ports from `basePort` on (`basePort + i` for the i-th function), or free ones when it is 0/unset. */
export async function functionPorts(specs: readonly FunctionSpec[], basePort?: number): Promise<Map<string, number>> {
  const ports = new Map<string, number>();
  for (const [i, spec] of specs.entries()) ports.set(spec.name, basePort ? basePort + i : await freePort());
  return ports;
}
