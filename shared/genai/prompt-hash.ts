import { createHash } from 'node:crypto';

/**
 * The hash a cost event carries for a request (model, contents and config; 32 hex digits): the
 * same call repeated has the same hash, which the burn-rate breaker counts as a loop. The prompt
 * itself never leaves the agent.
 */
export function promptHashOf(params: { model: string; contents?: unknown; config?: object }): string {
  return createHash('sha256').update(JSON.stringify([params.model, params.contents ?? null, params.config ?? null])).digest('hex').slice(0, 32);
}
