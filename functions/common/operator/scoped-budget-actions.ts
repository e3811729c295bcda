import { scopedBudgetsOf, withoutScopedBudget, withScopedBudget } from '../../../shared/budget/budget-config';
import { BUDGET_WINDOWS, type BudgetWindow } from '../../../shared/budget/budget-window';
import { formatScope, parseScope, ScopeError } from '../../../shared/budget/scope';
import { scopedBudgetSchema, type ScopedBudget } from '../../../shared/budget/scoped-budget';
import { ladderInputOf } from '../../../shared/budget/degrade-ladder';
import { COST_CATEGORIES } from '../../../shared/contracts/vocabulary';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { loadBudgetConfig, updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { budgetAlertPublisher, BudgetEnforcer } from '../budget/budget-enforcer';
import { ScopedBudgetEnforcer } from '../budget/scoped-enforcer';
import { OperatorError, parseUsd, type OperatorDeps } from './operator-actions';

/** What an operator types for a scoped budget (CLI flags, dashboard form fields). */
export interface ScopedBudgetRequest {
  usd: string;
  scope: string;
  window: string | undefined;
  category?: string;
  timezone?: string;
  mode?: string;
  id?: string;
  /** The degrade ladder's short form, `0.5:prefer-cache,0.8:downgrade,1:block` (degrade-ladder.ts). */
  ladder?: string;
  /** Shadow mode: evaluated and recorded, never enforced. */
  shadow?: boolean;
}

/** `agent:*` daily → `agent-all-day`; `team:search` monthly AI_API_CALLS → `team-search-month-ai-api-calls`. */
export function defaultBudgetId(scope: string, window: BudgetWindow, category?: string): string {
  const parsed = parseScope(scope);
  const name = parsed.kind === 'fleet' ? 'fleet' : `${parsed.kind}-${parsed.name === '*' ? 'all' : parsed.name}`;
  const raw = [name, window, category].filter(Boolean).join('-').toLowerCase();
  return raw.replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 48);
}

/** Validates a request into a budget; bad input is an OperatorError naming the flag, nothing changed. */
export function parseScopedBudgetRequest(request: ScopedBudgetRequest): ScopedBudget {
  const amountMicros = parseUsd(request.usd);
  if (amountMicros <= 0) throw new OperatorError(`"${request.usd}": a budget must be more than $0`);
  try {
    parseScope(request.scope);
  } catch (error) {
    throw new OperatorError(`--scope ${(error as ScopeError).message}`);
  }
  if (request.window === undefined) throw new OperatorError(`--window is required with --scope: ${BUDGET_WINDOWS.join(', ')}`);
  if (!BUDGET_WINDOWS.includes(request.window as BudgetWindow)) throw new OperatorError(`--window "${request.window}" is not one of ${BUDGET_WINDOWS.join(', ')}`);
  const category = request.category?.trim().toUpperCase();
  if (category !== undefined && !COST_CATEGORIES.includes(category as never)) throw new OperatorError(`--category "${request.category}" is not one of ${COST_CATEGORIES.join(', ')}`);
  const parsed = scopedBudgetSchema.safeParse({
    id: request.id ?? defaultBudgetId(request.scope, request.window as BudgetWindow, category),
    scope: formatScope(parseScope(request.scope)),
    ...(category ? { category } : {}),
    window: request.window,
    ...(request.timezone ? { timezone: request.timezone } : {}),
    amountMicros,
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.ladder !== undefined ? { ladder: ladderInputOf(request.ladder) } : {}),
    ...(request.shadow ? { shadow: true } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = { id: '--id', timezone: '--timezone', mode: '--mode', ladder: '--ladder' }[String(issue?.path[0]) as 'id'] ?? String(issue?.path[0]);
    const where = issue?.path[0] === 'ladder' && issue.path.length > 1 ? ` (${issue.path.slice(1).join('.')})` : '';
    throw new OperatorError(`${flag}${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Adds or replaces (by id) a scoped budget, then evaluates the scoped budgets with the stored config at once. */
export async function setScopedBudget(deps: OperatorDeps, request: ScopedBudgetRequest): Promise<{ budget: ScopedBudget; replaced: boolean }> {
  const budget = parseScopedBudgetRequest(request);
  let replaced = false;
  await updateBudgetConfig(deps.db, (current) => {
    replaced = scopedBudgetsOf(current).some((b) => b.id === budget.id);
    return withScopedBudget(current, budget);
  }).catch(rethrowAsOperatorError);
  await evaluateScopedNow(deps);
  return { budget, replaced };
}

/** Removes a scoped budget; its flags are cleared at once. */
export async function removeScopedBudget(deps: OperatorDeps, id: string): Promise<void> {
  await updateBudgetConfig(deps.db, (current) => withoutScopedBudget(current, id)).catch(rethrowAsOperatorError);
  await evaluateScopedNow(deps);
}

function rethrowAsOperatorError(error: unknown): never {
  if (error instanceof OptionsError) throw new OperatorError(error.message);
  throw error;
}

/** Evaluates the flagged and recently spending scope instances under the config just stored. */
async function evaluateScopedNow(deps: OperatorDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const alerts = new BudgetEnforcer({ db: deps.db, config: () => loadBudgetConfig(deps.db), publishAlert: budgetAlertPublisher(deps.pubsub, deps.topology.topics.alerts), now, log: deps.log });
  await new ScopedBudgetEnforcer({ db: deps.db, config: () => loadBudgetConfig(deps.db), alerts, now, log: deps.log }).enforceRecent();
}
