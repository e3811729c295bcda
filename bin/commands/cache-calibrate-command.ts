import type { Command } from 'commander';
import { EMBEDDER_NAMES, embedderNamed, type EmbedderName } from '../../shared/cache/cache-from-env';
import { calibrate, labelledPairSchema, type Calibration, type ThresholdRow } from '../../shared/cache/semantic/threshold-calibration';
import { CliError } from './cli-context';
import { readJsonItems } from './json-lines-file';
import { jsonOption, printResult, type JsonFlag } from './json-output';
import { tableLines } from './text-table';

const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;

const columns = (rows: readonly (readonly string[])[]): string => tableLines(rows).join('\n');

/** The sweep every 0.05 (and the recommended row), then the recommended threshold's categories. */
function render(c: Calibration, defaultThreshold: number): string {
  const shown = c.rows.filter((r) => Math.round(r.threshold * 100) % 5 === 0 || r === c.recommended);
  const line = (r: ThresholdRow) => [`${r.threshold.toFixed(2)}${r === c.recommended ? ' *' : ''}`, `${r.reuse.reused}/${r.reuse.pairs}`, percent(r.reuse.rate), `${r.falseReuse.reused}/${r.falseReuse.pairs}`, percent(r.falseReuse.rate)];
  const out = [`${c.pairs} labelled pairs, embedder ${c.embedder}; reused = same partition (salient signature; content words too for a lexical embedder) and similarity ≥ threshold`, columns([['threshold', 'reused', 'reuse', 'false reuse', 'rate'], ...shown.map(line)])];
  if (!c.recommended) {
    out.push(`no threshold keeps false reuse ≤ ${percent(c.maxFalseReuse)}: the pairs that must stay apart share a signature and read alike; see --json for each threshold`);
    return out.join('\n');
  }
  const r = c.recommended;
  out.push('', `by category at ${r.threshold.toFixed(2)}:`, columns([['category', 'expect', 'reused', 'rate'], ...Object.entries(r.byCategory).map(([name, t]) => [name, t.expect, `${t.reused}/${t.pairs}`, percent(t.rate)])]));
  out.push('', `recommended threshold: ${r.threshold.toFixed(2)} (false reuse ${percent(r.falseReuse.rate)} ≤ ${percent(c.maxFalseReuse)}, reuse ${percent(r.reuse.rate)}); the embedder's default is ${defaultThreshold.toFixed(2)} — set GOVERNOR_CACHE_SIMILARITY_THRESHOLD or semantic.threshold to change it`);
  return out.join('\n');
}

/** `governor cache calibrate`: sweeps thresholds on labelled pairs and recommends one (no Redis or Firestore needed). */
export function registerCacheCalibrateCommand(cache: Command): void {
  cache
    .command('calibrate <pairs>')
    .description('sweep similarity thresholds on labelled prompt pairs (JSON Lines {a,b,reuse,category}): reuse and false reuse per threshold and category, and the threshold to use')
    .option('--embedder <name>', `${EMBEDDER_NAMES.join('|')} (gemini: GEMINI_API_KEY, GOVERNOR_GEMINI_ENDPOINT)`, process.env.GOVERNOR_CACHE_EMBEDDER ?? 'hashing')
    .option('--max-false-reuse <rate>', 'highest acceptable share of must-not-reuse pairs reused', '0.001')
    .addOption(jsonOption())
    .action(async (file: string, opts: { embedder: string; maxFalseReuse: string } & JsonFlag) => {
      if (!(EMBEDDER_NAMES as readonly string[]).includes(opts.embedder)) throw new CliError(`--embedder "${opts.embedder}": ${EMBEDDER_NAMES.join(' or ')}`);
      const maxFalseReuse = Number(opts.maxFalseReuse);
      if (!(maxFalseReuse >= 0 && maxFalseReuse < 1)) throw new CliError(`--max-false-reuse "${opts.maxFalseReuse}": a rate from 0 to below 1 (0.001 = 0.1 %)`);
      const pairs = readJsonItems(file, labelledPairSchema, 'nothing was calibrated');
      if (!pairs.length) throw new CliError(`${file}: no labelled pairs`);
      const embedder = embedderNamed(opts.embedder as EmbedderName);
      let result: Calibration;
      try {
        result = await calibrate(pairs, embedder, { maxFalseReuse });
      } catch (error) {
        throw new CliError(`embedding with ${embedder.id} failed: ${(error as Error).message}`);
      }
      printResult({ ...result, defaultThreshold: embedder.defaultThreshold, recommendedThreshold: result.recommended?.threshold ?? null }, opts, () => render(result, embedder.defaultThreshold));
      if (!result.recommended) process.exitCode = 1;
    });
}
