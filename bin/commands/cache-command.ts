import type { Command } from 'commander';
import { z } from 'zod';
import { periodOf } from '../../shared/basics/period';
import { formatUsd } from '../../shared/basics/money';
import { semanticFromEnv } from '../../shared/cache/cache-from-env';
import { cacheHitSummary, cacheSavingsBetween } from '../../shared/reports/cache-report';
import { namespaceSchema, tagSchema } from '../../shared/cache/cache-options';
import { GenerationCache, type RejectResult } from '../../shared/cache/generation-cache';
import { generateRequestSchema } from '../../shared/cache/semantic/generate-request';
import { windowsEndingAt } from '../../shared/metrics/windows';
import { readAggregates, resolutionFor } from '../../shared/store/metric-buckets';
import { loadAlertRules } from '../../shared/store/metric-rules-store';
import { windowMilliseconds } from '../../shared/metrics/windows';
import { withCliContext, CliError, type CliContext } from './cli-context';
import { registerCacheCalibrateCommand } from './cache-calibrate-command';
import { readJsonItems } from './json-lines-file';
import { jsonOption, printResult, type JsonFlag } from './json-output';

/** One line of a warm file: a plain entry, or a known answer to a generation request. */
const warmItemSchema = z.union([
  z.strictObject({ namespace: namespaceSchema, key: z.string().min(1), value: z.unknown().refine((v) => v !== undefined, 'required'), tags: z.array(tagSchema).optional() }),
  z.strictObject({ request: generateRequestSchema, response: z.unknown().refine((v) => v !== undefined, 'required'), costMicros: z.number().int().nonnegative().optional() }),
]);

/** One line of a reject file: a request that was served a wrong answer, and optionally the prompt whose answer it was. */
const rejectItemSchema = z.strictObject({ request: generateRequestSchema, sourcePrompt: z.string().min(1).optional() });

function sharedCache(ctx: CliContext): GenerationCache {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new CliError('REDIS_URL is not set: the shared tier (L2) is what the CLI works on; each agent L1 follows through Redis');
  return new GenerationCache({ redisUrl, semantic: semanticFromEnv(process.env, () => ctx.firestore()), onDegraded: (r) => process.stderr.write(`governor: ${r.message}\n`) });
}

async function connected(cache: GenerationCache): Promise<GenerationCache> {
  try {
    return await cache.ready(5_000);
  } catch (error) {
    await cache.close();
    throw new CliError(`Redis at REDIS_URL is unreachable (${(error as Error).message})`);
  }
}

/** Runs `work` on the shared cache (Redis required), closing it afterwards whatever happens. */
async function onSharedCache(work: (cache: GenerationCache) => Promise<void>): Promise<void> {
  await withCliContext(async (ctx) => {
    const c = await connected(sharedCache(ctx));
    try {
      await work(c);
    } finally {
      await c.close();
    }
  });
}

export function registerCacheCommand(program: Command): void {
  const cache = program.command('cache').description('the response cache: stats, invalidation, warming');

  cache
    .command('stats')
    .description('fleet hit rate per tier against its target, money saved this month, Redis contents per namespace')
    .option('--window <window>', 'hit-rate window ending now', '24h')
    .addOption(jsonOption())
    .action(async (opts: { window: string } & JsonFlag) => {
      let ms: number;
      try {
        ms = windowMilliseconds(opts.window);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      await withCliContext(async (ctx) => {
        const now = new Date();
        const { current } = windowsEndingAt(now, opts.window);
        const [aggregates, savings, rules] = await Promise.all([readAggregates(ctx.firestore(), 'CACHE_HIT_RATE', current.start, now, resolutionFor(ms)), cacheSavingsBetween(ctx.firestore(), periodOf(now).start, now), loadAlertRules(ctx.firestore())]);
        // The target is the cache-hit-rate rule's limit (60 % by default), as in `metrics report`.
        const target = rules.config.find((r) => r.metric === 'CACHE_HIT_RATE' && r.statistic === 'mean')?.limit ?? 60;
        const hitRate = cacheHitSummary(aggregates, target) ?? null;
        let redis: Record<string, { entries: number; bytes: number }> | null = null;
        if (process.env.REDIS_URL) {
          const c = await connected(sharedCache(ctx));
          redis = (await c.inventory()) ?? null;
          await c.close();
        }
        const result = { window: opts.window, hitRate, savedThisMonth: savings, redis };
        printResult(result, opts, () =>
          [
            hitRate
              ? `Hit rate over ${opts.window}: ${hitRate.hitRatePercent.toFixed(1)} % of ${hitRate.lookups} lookups (target ${hitRate.target} %: ${hitRate.met ? 'met' : 'missed'}); ${Object.entries(hitRate.byTier).map(([t, s]) => `${t} ${(s * 100).toFixed(1)} %`).join(', ')}`
              : `Hit rate over ${opts.window}: no lookups recorded`,
            `Saved this month: ${formatUsd(savings.savedMicros)} over ${savings.hits} hits`,
            redis === null ? 'Redis (L2): REDIS_URL not set' : `Redis (L2): ${Object.entries(redis).map(([ns, v]) => `${ns} ${v.entries} entries, ${v.bytes} bytes`).join('; ') || 'empty'}`,
          ].join('\n'),
        );
      });
    });

  cache
    .command('invalidate')
    .description('drop entries by tag, by namespace, or one key, in Redis and every agent L1')
    .option('--tag <tag>', 'every entry with this tag')
    .option('--namespace <namespace>', 'every entry of this namespace (or, with --key, one entry)')
    .option('--key <key>', 'one entry (needs --namespace)')
    .action(async (opts: { tag?: string; namespace?: string; key?: string }) => {
      if ((opts.tag === undefined) === (opts.namespace === undefined)) throw new CliError('give --tag, or --namespace (with --key for one entry)');
      if (opts.key !== undefined && opts.namespace === undefined) throw new CliError('--key needs --namespace');
      await onSharedCache(async (c) => {
        const n = await c.invalidate(opts.tag !== undefined ? { tag: opts.tag } : { namespace: opts.namespace!, ...(opts.key !== undefined ? { key: opts.key } : {}) });
        process.stdout.write(`invalidated ${n} entr${n === 1 ? 'y' : 'ies'}\n`);
      });
    });

  cache
    .command('warm <file>')
    .description('store known answers from a JSON array or JSON Lines file ({namespace,key,value,tags} or {request,response}); all validated first')
    .addOption(jsonOption())
    .action(async (file: string, opts: JsonFlag) => {
      const items = readJsonItems(file, warmItemSchema, 'nothing was warmed');
      await onSharedCache(async (c) => {
        let entries = 0;
        let answers = 0;
        for (const item of items) {
          if ('request' in item) {
            await c.storeGenerated(item.request, item.response, item.costMicros !== undefined ? { costMicros: item.costMicros } : {});
            answers += 1;
          } else {
            await c.set(item.namespace, item.key, item.value, { tags: item.tags ?? [] });
            entries += 1;
          }
        }
        const result = { entries, answers, vectorIndex: c.semanticBackend?.vectorIndex ?? null };
        printResult(result, opts, () => `warmed ${entries} entr${entries === 1 ? 'y' : 'ies'} and ${answers} generated answer(s)${answers ? ` (vectors: ${result.vectorIndex})` : ''}`);
      });
    });

  cache
    .command('reject <file>')
    .description('say reused answers were wrong: each {request, sourcePrompt?} line becomes a negative pair for good (in Redis), so the prompt gets its own answer')
    .addOption(jsonOption())
    .action(async (file: string, opts: JsonFlag) => {
      const items = readJsonItems(file, rejectItemSchema, 'nothing was rejected');
      await onSharedCache(async (c) => {
        const results: RejectResult[] = [];
        for (const item of items) results.push(await c.reject(item.request, item.sourcePrompt !== undefined ? { sourcePrompt: item.sourcePrompt } : {}));
        const rejected = results.filter((r) => r.recorded).length;
        const result = { rejected, nothingReused: results.length - rejected, results };
        printResult(result, opts, () =>
          [
            `rejected ${rejected} reuse(s): those prompts get their own answers from now on`,
            ...results.flatMap((r, i) => (r.recorded ? [] : [`item ${i + 1}: no reused answer found (give "sourcePrompt" when the vector index is not shared, GOVERNOR_CACHE_VECTOR_INDEX=firestore)`])),
          ].join('\n'),
        );
      });
    });

  registerCacheCalibrateCommand(cache);
}
