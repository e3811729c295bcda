import { agentIdSchema } from '../contracts/envelope';
import { scopeNameSchema, type Attribution } from '../contracts/attribution';

/** What a budget is for: the whole fleet, or one kind of scope (each agent, team, tenant, tag, model). */
export const SCOPE_KINDS = ['fleet', 'agent', 'team', 'tenant', 'tag', 'model'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** Kinds whose `*` template gives every instance its own budget without listing it. */
export const TEMPLATE_KINDS: readonly ScopeKind[] = ['agent', 'team', 'tenant'];

/** A budget's scope: `fleet`, one named instance (`team:search`), or a template (`agent:*`). */
export type Scope = { kind: 'fleet' } | { kind: Exclude<ScopeKind, 'fleet'>; name: string };

export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

const NAME_CHECKS: Record<Exclude<ScopeKind, 'fleet'>, (name: string) => string | undefined> = {
  agent: (name) => firstIssue(agentIdSchema.safeParse(name)),
  team: (name) => firstIssue(scopeNameSchema.safeParse(name)),
  tenant: (name) => firstIssue(scopeNameSchema.safeParse(name)),
  tag: (name) => firstIssue(scopeNameSchema.safeParse(name)),
  model: (name) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) ? undefined : 'letters, digits and . _ - only'),
};

function firstIssue(result: { success: boolean; error?: { issues: { message: string }[] } }): string | undefined {
  return result.success ? undefined : (result.error?.issues[0]?.message ?? 'invalid');
}

/** Parses `fleet`, `agent:<name>`, `agent:*`, `team:…`, `tenant:…`, `tag:<name>`, `model:<name>`; throws ScopeError saying what is accepted. */
export function parseScope(text: string): Scope {
  const trimmed = text.trim();
  if (trimmed === 'fleet') return { kind: 'fleet' };
  const colon = trimmed.indexOf(':');
  const kind = (colon < 0 ? trimmed : trimmed.slice(0, colon)) as ScopeKind;
  if (colon < 0 || !SCOPE_KINDS.includes(kind) || kind === 'fleet') {
    throw new ScopeError(`"${text}" is not a scope: fleet, agent:<name>, agent:*, team:<name>, team:*, tenant:<name>, tenant:*, tag:<name> or model:<name>`);
  }
  const name = trimmed.slice(colon + 1);
  if (name === '*') {
    if (!TEMPLATE_KINDS.includes(kind)) throw new ScopeError(`"${text}": only agent:*, team:* and tenant:* are templates (a ${kind} budget names its ${kind})`);
    return { kind, name };
  }
  const issue = NAME_CHECKS[kind](name);
  if (issue) throw new ScopeError(`"${text}": the ${kind} name ${name === '' ? 'is missing' : `is invalid (${issue})`}`);
  return { kind, name };
}

export function formatScope(scope: Scope): string {
  return scope.kind === 'fleet' ? 'fleet' : `${scope.kind}:${scope.name}`;
}

export function isTemplate(scope: Scope): boolean {
  return scope.kind !== 'fleet' && scope.name === '*';
}

/** What one cost is: its agent, its attribution and (for model usage) its model. */
export interface SpendSubject {
  source: string;
  attribution?: Attribution;
  model?: string;
}

/**
 * The scope instance a cost counts under for a budget of `scope` (`agent:*` → `agent:<its agent>`),
 * or undefined when the budget does not apply to it (another team, an untagged event, …).
 */
export function scopeInstanceOf(scope: Scope, subject: SpendSubject): string | undefined {
  switch (scope.kind) {
    case 'fleet':
      return 'fleet';
    case 'agent':
      return scope.name === '*' || scope.name === subject.source ? `agent:${subject.source}` : undefined;
    case 'team':
    case 'tenant': {
      const name = subject.attribution?.[scope.kind];
      if (name === undefined) return undefined;
      return scope.name === '*' || scope.name === name ? `${scope.kind}:${name}` : undefined;
    }
    case 'tag':
      return subject.attribution?.tags?.includes(scope.name) ? `tag:${scope.name}` : undefined;
    case 'model':
      return subject.model === scope.name ? `model:${scope.name}` : undefined;
  }
}

/**
 * Every scope instance whose flags can apply to an agent with this attribution — what its
 * throttle reader follows (model scopes are followed apart: they apply per call, by model).
 */
export function scopeInstancesOfAgent(source: string, attribution: Attribution | undefined): string[] {
  return [
    'fleet',
    `agent:${source}`,
    ...(attribution?.team ? [`team:${attribution.team}`] : []),
    ...(attribution?.tenant ? [`tenant:${attribution.tenant}`] : []),
    ...(attribution?.tags ?? []).map((t) => `tag:${t}`),
  ];
}

/** The kind of a scope instance (`team:search` → `team`). */
export function kindOfInstance(instance: string): ScopeKind {
  return instance === 'fleet' ? 'fleet' : (instance.slice(0, instance.indexOf(':')) as ScopeKind);
}
