import { z } from 'zod';
import { PRICE_TABLE } from '../pricing/price-data';
import type { PriceTable } from '../pricing/price-table';

/**
 * A degrade ladder on a budget: steps at fractions of it, each stricter than the last, so an agent
 * near its budget gets cheaper before it gets stopped. A step includes the milder ones below it
 * (at `downgrade` the agent still prefers the cache). Off unless a budget has one.
 */
export const LADDER_ACTIONS = ['prefer-cache', 'downgrade', 'cache-only', 'block'] as const;
export type LadderAction = (typeof LADDER_ACTIONS)[number];

/** The most steps a ladder may have: one per action, and a few maps of downgrades between. */
export const MAX_LADDER_STEPS = 8;

const modelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a model name (letters, digits and . _ -)');

export const ladderStepSchema = z.strictObject({
  /** Share of the budget from which the step is in force: 0.5 = 50 %; above 1 is allowed (an overdraft step). */
  at: z.number().positive().finite(),
  action: z.enum(LADDER_ACTIONS),
  /** `downgrade` only: which model each call's model becomes; default the price table's cheaper alternatives. */
  models: z.record(modelName, modelName).optional(),
});
export type LadderStep = z.infer<typeof ladderStepSchema>;

export const ladderSchema = z
  .strictObject({
    steps: z.array(ladderStepSchema).min(1).max(MAX_LADDER_STEPS),
    /** Evaluated and recorded (flag, status, dashboard, replay) but never enforced by the agents' readers. */
    shadow: z.boolean().default(false),
  })
  .superRefine((ladder, ctx) => {
    ladder.steps.forEach((step, i) => {
      const previous = ladder.steps[i - 1];
      if (previous && !(step.at > previous.at)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: `must be above the previous step's ${previous.at} (steps climb)` });
      if (step.models !== undefined && step.action !== 'downgrade') ctx.addIssue({ code: 'custom', path: ['steps', i, 'models'], message: `only a downgrade step has models (this one is ${step.action})` });
      for (const [from, to] of Object.entries(step.models ?? {})) {
        for (const model of new Set([from, to])) {
          if (!isPriced(PRICE_TABLE, model)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'models', from], message: `${model} has no price in the price table (governor prices list): a downgrade must be priced` });
        }
        if (from === to) ctx.addIssue({ code: 'custom', path: ['steps', i, 'models', from], message: 'maps a model to itself' });
      }
    });
  });
export type Ladder = z.infer<typeof ladderSchema>;
export type LadderInput = z.input<typeof ladderSchema>;

function isPriced(table: PriceTable, model: string): boolean {
  return table.models.some((m) => m.model === model);
}

/**
 * The default downgrade map: each model to the cheaper model of its generation that the price
 * table names (`gemini-2.5-pro → gemini-2.5-flash`, `gemini-2.5-flash → gemini-2.5-flash-lite`).
 */
export function defaultDowngrades(table: PriceTable = PRICE_TABLE): Record<string, string> {
  const map: Record<string, string> = {};
  for (const p of table.models) if (p.cheaperAlternative) map[p.model] = p.cheaperAlternative;
  return map;
}

/** What a ladder step in force asks of an agent's calls: the union of its step and every milder one. */
export interface StepEffect {
  /** Index of the step in force (0 = the first). */
  index: number;
  /** The step's fraction of the budget. */
  at: number;
  action: LadderAction;
  preferCache: boolean;
  cacheOnly: boolean;
  blocked: boolean;
  /** The model map in force (later downgrade steps override earlier ones for the same model), as pairs. */
  downgrades: { from: string; to: string }[];
  /** Recorded, not enforced: a shadow ladder, or a shadow budget's. */
  shadow: boolean;
}

/** The step in force at `ratio` (spent ÷ budget) with its effect, or undefined below the first step. */
export function ladderStepAt(ladder: Ladder | undefined, ratio: number, shadow = false, table: PriceTable = PRICE_TABLE): StepEffect | undefined {
  if (!ladder) return undefined;
  let index = -1;
  ladder.steps.forEach((s, i) => {
    if (ratio >= s.at) index = i;
  });
  if (index < 0) return undefined;
  const climbed = ladder.steps.slice(0, index + 1);
  const has = (action: LadderAction) => climbed.some((s) => s.action === action);
  const map: Record<string, string> = {};
  for (const s of climbed) if (s.action === 'downgrade') Object.assign(map, s.models ?? defaultDowngrades(table));
  const step = ladder.steps[index]!;
  return {
    index,
    at: step.at,
    action: step.action,
    preferCache: has('prefer-cache') || has('downgrade') || has('cache-only'),
    cacheOnly: has('cache-only'),
    blocked: has('block'),
    downgrades: Object.entries(map).map(([from, to]) => ({ from, to })),
    shadow: shadow || ladder.shadow,
  };
}

/**
 * The model a call of `model` becomes under some downgrade pairs: one hop (a map says where each
 * model goes; `gemini-2.5-pro → gemini-2.5-flash` does not go on to flash-lite). The first pair
 * for the model wins: callers list the strictest budget's pairs first.
 */
export function downgradedModel(model: string, downgrades: readonly { from: string; to: string }[]): string {
  return downgrades.find((d) => d.from === model)?.to ?? model;
}

/** `50 % prefer-cache, 80 % downgrade, 100 % block` (the CLI's and the dashboard's words). */
export function describeLadder(ladder: Ladder): string {
  const steps = ladder.steps.map((s) => `${Math.round(s.at * 100)} % ${s.action}${s.models ? ` (${Object.entries(s.models).map(([f, t]) => `${f}→${t}`).join(', ')})` : ''}`).join(', ');
  return `${steps}${ladder.shadow ? ' [shadow]' : ''}`;
}

/**
 * Parses the CLI's short form `0.5:prefer-cache,0.8:downgrade,0.95:cache-only,1:block` (a
 * downgrade may name its map: `0.8:downgrade=gemini-2.5-pro>gemini-2.5-flash+gemini-2.5-flash>gemini-2.5-flash-lite`).
 * Returns the input for `ladderSchema`, which validates it.
 */
export function ladderInputOf(text: string, shadow = false): LadderInput {
  const steps = text.split(',').map((part) => {
    const [at, rest = ''] = part.trim().split(':');
    const [action, mapText] = rest.split('=');
    const models = mapText ? Object.fromEntries(mapText.split('+').map((pair) => pair.split('>').map((m) => m.trim()) as [string, string])) : undefined;
    return { at: Number(at), action: action?.trim() as LadderAction, ...(models ? { models } : {}) };
  });
  return { steps, shadow };
}
