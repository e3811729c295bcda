import { Option, type Command } from 'commander';
import { PriceChangeError } from '../../shared/pricing/price-overrides';
import { priceOn, type ModelPrice } from '../../shared/pricing/price-table';
import { addPrice, loadPriceTable } from '../../shared/store/price-overrides-store';
import { repriceProvisional, type RepriceResult } from '../../shared/store/spend-corrections';
import { unpricedModelsSince } from '../../shared/store/unpriced-models-store';
import { CliError, readJsonFile, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

interface AddFlags extends JsonFlag {
  input?: string;
  output?: string;
  per: string;
  unit: string;
  from?: string;
  source?: string;
  cachedInput?: string;
  audioInput?: string;
  cachedAudioInput?: string;
  longAbove?: string;
  longInput?: string;
  longOutput?: string;
  longCachedInput?: string;
  image?: string;
  cheaperAlternative?: string;
  file?: string;
  force?: boolean;
}

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);

/** The entry a `prices add` describes, from flags or `--file`; validated by the store (a bad field is named). */
function entryOf(model: string, f: AddFlags): unknown {
  if (f.file) return { model, ...(readJsonFile(f.file) as object) };
  const longContext = f.longAbove ? { aboveInputUnits: Number(f.longAbove), input: f.longInput, output: f.longOutput, ...(f.longCachedInput ? { cachedInput: f.longCachedInput } : {}) } : undefined;
  const optional = { cachedInput: f.cachedInput, audioInput: f.audioInput, cachedAudioInput: f.cachedAudioInput, perImage: f.image, cheaperAlternative: f.cheaperAlternative, longContext };
  return { model, unit: f.unit, per: Number(f.per), input: f.input, output: f.output, effectiveFrom: f.from ?? today(), source: f.source, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
}

const rates = (p: ModelPrice) =>
  [`in $${p.input}`, `out $${p.output}`, p.cachedInput && `cached $${p.cachedInput}`, p.audioInput && `audio $${p.audioInput}`, p.longContext && `> ${p.longContext.aboveInputUnits}: $${p.longContext.input}/$${p.longContext.output}`].filter(Boolean).join(', ');

const repriceLine = (r: RepriceResult) => `re-priced ${r.repriced} provisional charge(s) of ${r.model} (${r.deltaMicros >= 0 ? '+' : ''}${r.deltaMicros} µUSD)${r.unpriced > 0 ? `; ${r.unpriced} still unpriced` : ''}`;

/** `governor prices list|add|check|reprice`: prices without a redeploy (README "Gemini"). */
export function registerPricesCommand(program: Command): void {
  const prices = program.command('prices').description('the price table in force: built-in entries plus those added without a redeploy');

  prices
    .command('list')
    .description("each model's price in force today (and later entries), with where it came from")
    .option('--all', 'every entry, history included')
    .addOption(jsonOption())
    .action(async (flags: JsonFlag & { all?: boolean }) => {
      await withCliContext(async (ctx) => {
        const { table, added } = await loadPriceTable(ctx.firestore());
        const now = new Date();
        const inForce = new Set([...new Set(table.models.map((m) => m.model))].map((m) => priceOn(table, m, now)).filter(Boolean));
        const shown = table.models.filter((p) => flags.all || inForce.has(p) || p.effectiveFrom > today());
        const addedKeys = new Set(added.map((p) => `${p.model}@${p.effectiveFrom}`));
        const entries = shown.map((p) => ({ ...p, origin: addedKeys.has(`${p.model}@${p.effectiveFrom}`) ? 'added' : 'built-in', inForce: inForce.has(p) }));
        printResult({ entries }, flags, () => entries.map((p) => `${p.model.padEnd(24)} per ${p.per} ${p.unit}s  ${rates(p)}  from ${p.effectiveFrom}${p.inForce ? '' : ' (not in force)'}  [${p.origin}]`).join('\n'));
      });
    });

  prices
    .command('add <model>')
    .description('add a price entry (history is never edited); charges made provisionally for the model are re-priced exactly')
    .addOption(new Option('--input <usd>', 'input rate, USD per --per units'))
    .addOption(new Option('--output <usd>', 'output rate (thinking included), USD per --per units'))
    .addOption(new Option('--per <units>', 'units the rates are for').choices(['1000', '1000000']).default('1000000'))
    .addOption(new Option('--unit <unit>', 'what is counted').choices(['token', 'char']).default('token'))
    .option('--from <YYYY-MM-DD>', 'effectiveFrom (default today)')
    .option('--source <text>', 'where the price comes from (required)')
    .option('--cached-input <usd>', 'cached input rate')
    .option('--audio-input <usd>', 'audio input rate')
    .option('--cached-audio-input <usd>', 'cached audio input rate')
    .option('--long-above <tokens>', 'long-context threshold (prompt size)')
    .option('--long-input <usd>', 'input rate above the threshold')
    .option('--long-output <usd>', 'output rate above the threshold')
    .option('--long-cached-input <usd>', 'cached input rate above the threshold')
    .option('--image <usd>', 'price of one input image')
    .option('--cheaper-alternative <model>', 'the model recommendations suggest instead')
    .option('--file <entry.json>', 'the entry as JSON (the fields of shared/pricing/price-table.ts) instead of flags')
    .option('--force', 'accept a price more than 10× away from the entry it follows')
    .addOption(jsonOption())
    .action(async (model: string, flags: AddFlags) => {
      await withCliContext(async (ctx) => {
        let added: Awaited<ReturnType<typeof addPrice>>;
        try {
          added = await addPrice(ctx.firestore(), entryOf(model, flags), { now: new Date(), force: flags.force, actor: `cli:${process.env.USER ?? 'operator'}` });
        } catch (error) {
          if (error instanceof PriceChangeError) throw new CliError(error.message);
          throw error;
        }
        const repriced = await repriceProvisional(ctx.firestore(), added.table, model);
        printResult({ entry: added.entry, repriced }, flags, () => `added ${model} from ${added.entry.effectiveFrom}: ${rates(added.entry)} per ${added.entry.per} ${added.entry.unit}s\n${repriceLine(repriced)}`);
      });
    });

  prices
    .command('check')
    .description('stored entries left out as invalid, and models used without a price in the last 30 days; exit 1 when there are any')
    .addOption(jsonOption())
    .action(async (flags: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const { table, added, rejected } = await loadPriceTable(ctx.firestore());
        const seen = await unpricedModelsSince(ctx.firestore(), new Date(Date.now() - 30 * DAY_MS).toISOString().slice(0, 10));
        const unpriced = seen.filter((m) => !table.models.some((p) => p.model === m.model));
        const value = { ok: rejected.length === 0 && unpriced.length === 0, entries: table.models.length, added: added.length, rejected, unpriced };
        printResult(value, flags, () =>
          [
            `${value.entries} price entries (${value.added} added without a redeploy)`,
            ...rejected.map((r) => `left out ${r.id}: ${r.reason}`),
            ...unpriced.map((m) => `no price: ${m.model}, charged provisionally as ${m.chargedAs} on ${m.days.join(', ')} — add one with \`governor prices add ${m.model} …\``),
            value.ok ? 'ok' : 'problems found',
          ].join('\n'),
        );
        if (!value.ok) process.exitCode = 1;
      });
    });

  prices
    .command('reprice <model>')
    .description("re-price the model's provisional charges with the table in force (prices add does it; safe to repeat)")
    .addOption(jsonOption())
    .action(async (model: string, flags: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const result = await repriceProvisional(ctx.firestore(), (await loadPriceTable(ctx.firestore())).table, model);
        printResult(result, flags, () => repriceLine(result));
      });
    });
}
