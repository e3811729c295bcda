import type { Command } from 'commander';
import { breakerStatus, removeBreakerRule, resetBreaker, setBreakerRule, type BreakerRequest } from '../../functions/common/operator/breaker-actions';
import { formatUsd } from '../../shared/basics/money';
import { operatorDeps, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

const usdPerMinute = (usd: number) => `${formatUsd(Math.round(usd * 1e6))}/min`;

/** `governor breaker set|status|reset|remove`: the burn-rate breakers that pause a runaway agent. */
export function registerBreakerCommand(program: Command): void {
  const breaker = program.command('breaker').description('burn-rate breakers: pause an agent (team, tenant, …) whose spend rate runs away or that loops');

  breaker
    .command('set')
    .description('add or replace a breaker rule (by id; default id from the scope)')
    .option('--scope <scope>', 'agent:* (default: every agent), agent:<name>, team:*, team:<name>, tenant:…, tag:<name>, model:<name>, fleet', 'agent:*')
    .requiredOption('--floor <usd>', 'USD per minute under which the rate never trips')
    .option('--multiple <x>', "trip above this multiple of the scope's baseline (default 10)")
    .option('--window <duration>', 'the rate window (default 60s)')
    .option('--cooldown <duration>', 'how long a trip pauses the scope (default 15m)')
    .option('--loop-repeats <k>', 'more than K calls with one model and prompt hash in the loop window is a loop (default 20; 0 turns it off)')
    .option('--loop-window <duration>', 'the loop window (default 60s)')
    .option('--shadow', 'record what the rule would do (alert marked shadow), pause nothing')
    .option('--id <id>', 'the rule id (default: from the scope, e.g. agent-all)')
    .action(async (opts: BreakerRequest) => {
      await withCliContext(async (ctx) => {
        const { rule, replaced } = await setBreakerRule(operatorDeps(ctx), opts);
        process.stdout.write(
          `${replaced ? 'replaced' : 'added'} breaker ${rule.id}: ${rule.scope} trips above ${formatUsd(rule.floorMicrosPerMinute)}/min and ${rule.multiple}× its baseline over ${rule.windowSeconds}s` +
            `${rule.loopRepeats > 0 ? `, or on more than ${rule.loopRepeats} repeats of one prompt in ${rule.loopWindowSeconds}s` : ''}; pauses for ${rule.cooldownMinutes} min${rule.shadow ? ' (shadow: records only)' : ''}\n`,
        );
      });
    });

  breaker
    .command('status')
    .description('tripped scopes (rate, baseline, since, until, reason; shadow ones marked) and the rules')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const status = await breakerStatus(ctx.firestore());
        printResult(status, opts, () =>
          [
            status.tripped.length === 0 ? 'No breaker tripped.' : 'Tripped:',
            ...status.tripped.map((t) => `  ${t.scope}${t.shadow ? ' [shadow]' : ' PAUSED'} by ${t.ruleId}: ${t.reason} at ${usdPerMinute(t.rateUsdPerMinute)} (baseline ${usdPerMinute(t.baselineUsdPerMinute)}, ${t.baselineFrom}) since ${t.since} until ${t.until}`),
            status.rules.length === 0 ? 'Rules: none (governor breaker set --scope agent:* --floor 0.50 --multiple 10)' : 'Rules:',
            ...status.rules.map((r) => `  ${r.id}: ${r.scope} floor ${formatUsd(r.floorMicrosPerMinute)}/min, ${r.multiple}× baseline over ${r.windowSeconds}s, loop >${r.loopRepeats} in ${r.loopWindowSeconds}s, cool-down ${r.cooldownMinutes} min${r.shadow ? ' (shadow)' : ''}`),
          ].join('\n'),
        );
      });
    });

  breaker
    .command('reset <scope>')
    .description('lift the pause of a tripped scope instance now (e.g. agent:writer-1)')
    .action(async (scope: string) => {
      await withCliContext(async (ctx) => {
        const rules = await resetBreaker(operatorDeps(ctx), scope);
        process.stdout.write(`reset ${scope} (${rules.join(', ')})\n`);
      });
    });

  breaker
    .command('remove <idOrScope>')
    .description('remove a breaker rule by id, or every rule of a scope; their trips are lifted')
    .action(async (idOrScope: string) => {
      await withCliContext(async (ctx) => {
        const removed = await removeBreakerRule(operatorDeps(ctx), idOrScope);
        process.stdout.write(`removed breaker ${removed.join(', ')}\n`);
      });
    });
}
