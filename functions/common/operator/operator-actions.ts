import { isIP } from 'node:net';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { BUDGET_KEYS, budgetMicrosOf, TOTAL, withBudget, type BudgetKey } from '../../../shared/budget/budget-config';
import { microsOfUsd } from '../../../shared/basics/money';
import { COST_CATEGORIES } from '../../../shared/contracts/vocabulary';
import { periodOf } from '../../../shared/basics/period';
import type { Logger } from '../../../shared/logging/logger';
import { rotateSecret } from '../../../shared/secrets/key-rotation';
import { rotationAnnouncer } from '../../../shared/secrets/rotation-event';
import type { Subject } from '../../../shared/security/ban-policy';
import { loadBudgetConfig, updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { liftBan } from '../../../shared/store/bans-store';
import { loadRotationConfig } from '../../../shared/store/rotation-config-store';
import type { Topology } from '../../../shared/topology/topology';
import { budgetAlertPublisher, BudgetEnforcer } from '../budget/budget-enforcer';

/**
 * The state-changing operator actions, shared by the `governor` CLI and the dashboard so both
 * validate the same way and change the same documents. Bad input throws an OperatorError whose
 * message is meant for the operator; nothing is changed then.
 */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

export interface OperatorDeps {
  db: Firestore;
  pubsub: PubSub;
  topology: Topology;
  projectId: string;
  /** Who acts, recorded where the store keeps it (`cli:alice`, `dashboard:ops@example.com`). */
  actor: string;
  log: Logger;
  /** Secret Manager client for key rotation (made on first use, owned by the caller). */
  secretManager: () => SecretManagerServiceClient;
  now?: () => Date;
}

/** `total` (any case) or a category name; anything else names the accepted keys. */
export function parseBudgetKey(text: string): BudgetKey {
  const key = (text.trim().toLowerCase() === 'total' ? TOTAL : text.trim().toUpperCase()) as BudgetKey;
  if (!BUDGET_KEYS.includes(key)) throw new OperatorError(`"${text}" is not a category (${COST_CATEGORIES.join(', ')}) or total`);
  return key;
}

/** Dollars with at most six decimals, as an operator types them; returns micro-USD. */
export function parseUsd(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{1,6})?$/.test(trimmed)) throw new OperatorError(`"${text}" is not an amount in USD (e.g. 150 or 12.50)`);
  return microsOfUsd(Number(trimmed));
}

/** `1.2.3.4` or `ip:1.2.3.4` is an IP; `user:alice` or anything else a user id. */
export function parseSubject(text: string): Subject {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'user:' || trimmed === 'ip:') throw new OperatorError('name an IP or a user id to lift the ban of');
  if (trimmed.startsWith('ip:')) {
    if (isIP(trimmed.slice(3)) === 0) throw new OperatorError(`"${trimmed.slice(3)}" is not an IP address`);
    return { type: 'ip', value: trimmed.slice(3) };
  }
  if (trimmed.startsWith('user:')) return { type: 'user', value: trimmed.slice(5) };
  return isIP(trimmed) !== 0 ? { type: 'ip', value: trimmed } : { type: 'user', value: trimmed };
}

/** Sets a monthly budget and re-applies the budgets at once, so raising one lifts its throttle now. */
export async function setBudget(deps: OperatorDeps, keyText: string, usdText: string): Promise<{ budget: BudgetKey; budgetMicros: number }> {
  const budget = parseBudgetKey(keyText);
  const micros = parseUsd(usdText);
  const next = await updateBudgetConfig(deps.db, (current) => withBudget(current, budget, micros));
  const now = deps.now ?? (() => new Date());
  const enforcer = new BudgetEnforcer({
    db: deps.db,
    config: () => loadBudgetConfig(deps.db),
    publishAlert: budgetAlertPublisher(deps.pubsub, deps.topology.topics.alerts),
    now,
    log: deps.log,
  });
  await enforcer.enforce(periodOf(now()).id, BUDGET_KEYS);
  return { budget, budgetMicros: budgetMicrosOf(next, budget) };
}

/** Ends an active ban now (its history stays); a subject that is not banned is an OperatorError. */
export async function liftBanOf(deps: OperatorDeps, subjectText: string): Promise<Subject> {
  const subject = parseSubject(subjectText);
  const lifted = await liftBan(deps.db, subject, deps.actor, (deps.now ?? (() => new Date()))());
  if (!lifted) throw new OperatorError(`${subject.type} ${subject.value} is not banned`);
  return subject;
}

export type RotateOutcome = { rotated: true; secret: string; newVersion?: number; keyId?: string } | { rotated: false; secret: string; reason: string };

/** Rotates a configured secret now (forced); the previous key stays valid for the grace window. */
export async function rotateKeyNow(deps: OperatorDeps, secret: string): Promise<RotateOutcome> {
  const settings = (await loadRotationConfig(deps.db)).config.secrets[secret];
  if (!settings) throw new OperatorError(`${secret} has no rotation settings: governor keys configure ${secret} --period-hours … --grace-hours … --retention …`);
  const outcome = await rotateSecret(
    {
      client: deps.secretManager(),
      db: deps.db,
      projectId: deps.projectId,
      now: deps.now ?? (() => new Date()),
      log: deps.log,
      announce: rotationAnnouncer(deps.pubsub, deps.topology.topics.security, deps.actor),
    },
    secret,
    settings,
    { force: true, reason: `operator (${deps.actor})` },
  );
  if (outcome.status === 'busy') throw new OperatorError(`another rotation of ${secret} is running; try again in a minute`);
  return outcome.rotated
    ? { rotated: true, secret, newVersion: outcome.newVersion, keyId: outcome.keyId }
    : { rotated: false, secret, reason: 'a version was added less than a minute ago' };
}

/** Asks alert-digest to send every queued digest now; returns the tick's message id. */
export async function flushDigests(deps: Pick<OperatorDeps, 'pubsub' | 'topology'>): Promise<string> {
  return deps.pubsub.topic(deps.topology.topics.alertTicks).publishMessage({ json: { tick: 'alerts', flush: true } });
}
