import { z } from 'zod';
import { formatUsd } from '../../shared/basics/money';
import { ValidationError } from '../../shared/contracts/validation-error';
import { flushDigests, liftBanOf, OperatorError, rotateKeyNow, setBudget, type OperatorDeps } from '../common/operator/operator-actions';
import { resetBreaker } from '../common/operator/breaker-actions';

/** Bodies of the POST actions; the values are validated again by the shared operator actions. */
const text = (max: number) => z.string().trim().min(1, 'required').max(max, `at most ${max} characters`);
const ACTIONS = {
  '/api/budget': {
    body: z.strictObject({ budget: text(40), usd: text(24) }),
    run: async (deps: OperatorDeps, b: { budget: string; usd: string }) => {
      const { budget, budgetMicros } = await setBudget(deps, b.budget, b.usd);
      return `${budget} budget is now ${formatUsd(budgetMicros)} per month`;
    },
  },
  '/api/bans/lift': {
    body: z.strictObject({ subject: text(300) }),
    run: async (deps: OperatorDeps, b: { subject: string }) => {
      const subject = await liftBanOf(deps, b.subject);
      return `lifted the ban on ${subject.type} ${subject.value}`;
    },
  },
  '/api/breaker/reset': {
    body: z.strictObject({ scope: text(300) }),
    run: async (deps: OperatorDeps, b: { scope: string }) => `reset the breaker of ${b.scope} (${(await resetBreaker(deps, b.scope)).join(', ')})`,
  },
  '/api/keys/rotate': {
    body: z.strictObject({ secret: text(255) }),
    run: async (deps: OperatorDeps, b: { secret: string }) => {
      const outcome = await rotateKeyNow(deps, b.secret);
      return outcome.rotated ? `${outcome.secret}: version ${outcome.newVersion} (key id ${outcome.keyId}) is now current` : `${outcome.secret}: not rotated (${outcome.reason})`;
    },
  },
  '/api/alerts/flush': {
    body: z.strictObject({}),
    run: async (deps: OperatorDeps) => `digest flush requested (tick ${await flushDigests(deps)})`,
  },
} as const;

export type ActionPath = keyof typeof ACTIONS;
export const ACTION_PATHS = Object.keys(ACTIONS) as ActionPath[];

export type ActionResult = { status: 200; message: string } | { status: 400 | 500; error: string };

/** Runs one action: a bad body or a refused value is a 400 with the operator's message; nothing changes then. */
export async function runAction(path: ActionPath, body: unknown, deps: OperatorDeps): Promise<ActionResult> {
  const action = ACTIONS[path];
  const parsed = action.body.safeParse(body ?? {});
  if (!parsed.success) return { status: 400, error: ValidationError.fromZod(parsed.error).message };
  try {
    return { status: 200, message: await (action.run as (d: OperatorDeps, b: unknown) => Promise<string>)(deps, parsed.data) };
  } catch (error) {
    if (error instanceof OperatorError || error instanceof ValidationError) return { status: 400, error: error.message };
    deps.log.error({ err: error, action: path }, 'dashboard: action failed');
    return { status: 500, error: `${path} failed: ${(error as Error).message}` };
  }
}
