import type { Firestore } from '@google-cloud/firestore';
import { formatScope, parseScope } from '../../../shared/budget/scope';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { breakerRuleSchema, defaultRuleId, type BreakerRule } from '../../../shared/runaway/breaker-rule';
import { loadBreakerConfig, updateBreakerConfig } from '../../../shared/store/breaker-config-store';
import { activeTrips, clearTrip } from '../../../shared/store/runaway-trips-store';
import { OperatorError, parseUsd, type OperatorDeps } from './operator-actions';

/** What an operator types for a breaker rule (CLI flags). */
export interface BreakerRequest {
  scope?: string;
  floor: string;
  multiple?: string;
  window?: string;
  cooldown?: string;
  loopRepeats?: string;
  loopWindow?: string;
  shadow?: boolean;
  id?: string;
}

/** `60s`, `2m`, `1h` (or a bare number of `unit`s) in seconds; anything else an OperatorError naming the flag. */
export function durationSeconds(text: string, flag: string, unit: 's' | 'm'): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) throw new OperatorError(`${flag} "${text}" is not a duration (e.g. 60s, 15m, 1h)`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? unit) as 's' | 'm' | 'h'];
  if (!Number.isInteger(seconds)) throw new OperatorError(`${flag} "${text}" is not a whole number of seconds`);
  return seconds;
}

const FLAGS: Record<string, string> = { id: '--id', scope: '--scope', floorMicrosPerMinute: '--floor', multiple: '--multiple', windowSeconds: '--window', cooldownMinutes: '--cooldown', loopRepeats: '--loop-repeats', loopWindowSeconds: '--loop-window' };

/** Validates a request into a rule; bad input is an OperatorError naming the flag, nothing changed. */
export function parseBreakerRequest(request: BreakerRequest): BreakerRule {
  const scopeText = request.scope ?? 'agent:*';
  let scope: string;
  try {
    scope = formatScope(parseScope(scopeText));
  } catch (error) {
    throw new OperatorError(`--scope ${(error as Error).message}`);
  }
  const floorMicros = (() => {
    try {
      return parseUsd(request.floor);
    } catch (error) {
      throw new OperatorError(`--floor ${(error as Error).message} per minute`);
    }
  })();
  const number = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new OperatorError(`${flag} "${text}" is not a number`);
    return n;
  };
  const cooldown = request.cooldown === undefined ? undefined : durationSeconds(request.cooldown, '--cooldown', 'm');
  if (cooldown !== undefined && cooldown % 60 !== 0) throw new OperatorError(`--cooldown "${request.cooldown}" must be whole minutes`);
  const parsed = breakerRuleSchema.safeParse({
    id: request.id ?? defaultRuleId(scope),
    scope,
    floorMicrosPerMinute: floorMicros,
    ...(request.multiple !== undefined ? { multiple: number(request.multiple, '--multiple') } : {}),
    ...(request.window !== undefined ? { windowSeconds: durationSeconds(request.window, '--window', 's') } : {}),
    ...(cooldown !== undefined ? { cooldownMinutes: cooldown / 60 } : {}),
    ...(request.loopRepeats !== undefined ? { loopRepeats: number(request.loopRepeats, '--loop-repeats') } : {}),
    ...(request.loopWindow !== undefined ? { loopWindowSeconds: durationSeconds(request.loopWindow, '--loop-window', 's') } : {}),
    shadow: request.shadow === true,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OperatorError(`${FLAGS[String(issue?.path[0])] ?? String(issue?.path[0])}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function rethrowAsOperatorError(error: unknown): never {
  if (error instanceof OptionsError) throw new OperatorError(error.message);
  throw error;
}

/** Adds or replaces (by id) a breaker rule; the aggregators apply it within a config interval. */
export async function setBreakerRule(deps: Pick<OperatorDeps, 'db'>, request: BreakerRequest): Promise<{ rule: BreakerRule; replaced: boolean }> {
  const rule = parseBreakerRequest(request);
  let replaced = false;
  await updateBreakerConfig(deps.db, (current) => {
    replaced = current.rules.some((r) => r.id === rule.id);
    return { rules: [...current.rules.filter((r) => r.id !== rule.id), rule] };
  }).catch(rethrowAsOperatorError);
  return { rule, replaced };
}

/** Removes the rule with this id (or the rules of this scope) and lifts their trips. */
export async function removeBreakerRule(deps: Pick<OperatorDeps, 'db'>, idOrScope: string): Promise<string[]> {
  const { config } = await loadBreakerConfig(deps.db);
  const scope = idOrScope.includes(':') || idOrScope === 'fleet' ? safeScope(idOrScope) : undefined;
  const removed = config.rules.filter((r) => r.id === idOrScope || (scope !== undefined && r.scope === scope)).map((r) => r.id);
  if (removed.length === 0) throw new OperatorError(`no breaker rule "${idOrScope}": rules are ${config.rules.map((r) => `${r.id} (${r.scope})`).join(', ') || 'none'}`);
  await updateBreakerConfig(deps.db, (current) => ({ rules: current.rules.filter((r) => !removed.includes(r.id)) })).catch(rethrowAsOperatorError);
  const now = Date.now();
  await Promise.all((await activeTrips(deps.db)).filter((t) => removed.includes(t.ruleId)).map((t) => clearTrip(deps.db, t.ruleId, t.scope, 'operator', now)));
  return removed;
}

/** Lifts every trip of one scope instance at once (`agent:writer-1`); the breaker watches it again from now. */
export async function resetBreaker(deps: Pick<OperatorDeps, 'db'>, scopeText: string): Promise<string[]> {
  const scope = safeScope(scopeText);
  const now = Date.now();
  const trips = (await activeTrips(deps.db)).filter((t) => t.scope === scope);
  if (trips.length === 0) throw new OperatorError(`no breaker is tripped on ${scope} (see governor breaker status)`);
  await Promise.all(trips.map((t) => clearTrip(deps.db, t.ruleId, t.scope, 'operator', now)));
  return trips.map((t) => t.ruleId);
}

function safeScope(text: string): string {
  try {
    return formatScope(parseScope(text));
  } catch (error) {
    throw new OperatorError(`--scope ${(error as Error).message}`);
  }
}

/** `breaker status`: the trips in force (shadow ones marked) and the rules. Rates in USD per minute. */
export interface BreakerStatus {
  tripped: { scope: string; ruleId: string; rateUsdPerMinute: number; baselineUsdPerMinute: number; baselineFrom: string; since: string; until: string; reason: 'rate' | 'loop'; shadow: boolean }[];
  rules: BreakerRule[];
}

export async function breakerStatus(db: Firestore, now = Date.now()): Promise<BreakerStatus> {
  const [{ config }, trips] = await Promise.all([loadBreakerConfig(db), activeTrips(db)]);
  return {
    tripped: trips
      .filter((t) => t.until > now)
      .sort((a, b) => b.since - a.since)
      .map((t) => ({ scope: t.scope, ruleId: t.ruleId, rateUsdPerMinute: t.rateMicrosPerMinute / 1e6, baselineUsdPerMinute: t.baselineMicrosPerMinute / 1e6, baselineFrom: t.baselineFrom, since: new Date(t.since).toISOString(), until: new Date(t.until).toISOString(), reason: t.reason, shadow: t.shadow })),
    rules: config.rules,
  };
}
