import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Firestore } from '@google-cloud/firestore';
import { projectIdOf } from '../../shared/basics/project-id';
import { htmlReport } from '../../shared/loadtest/html-report';
import { resultOf, type LoadTestResult } from '../../shared/loadtest/load-test-result';
import { metricEventsOf } from '../../shared/loadtest/metric-events';
import { PROFILES, PROFILE_NAMES } from '../../shared/loadtest/profiles';
import { terminalProgress } from '../../shared/loadtest/progress-bar';
import { Recording, mergeRecordings, type SerializedRecording } from '../../shared/loadtest/recording';
import { renderSummary } from '../../shared/loadtest/render-summary';
import { recordLoad, runLoadTest } from '../../shared/loadtest/run-load-test';
import { createTarget, TargetSpecError } from '../../shared/loadtest/target-spec';
import { RemoteTargetError } from '../../shared/loadtest/target-guard';
import { collectTaskResults, storeTaskResult, CLOUD_RUN_TASK_ENV } from '../../shared/loadtest/task-results';
import { runDistributed } from '../../shared/loadtest/worker-pool';
import { createPublisher } from '../../shared/publisher/publisher';
import { CliError, intOption, readJsonFile } from './cli-context';
import { jsonOption, jsonText, printResult, type JsonFlag } from './json-output';
import { msOption, planOf, runIdOf, targetSpecOf, taskOf, thresholdsOf, type LoadtestFlags } from './loadtest-options';

/** k6's exit code when thresholds fail, so CI written for k6 reads Governor's the same way. */
export const THRESHOLDS_FAILED_EXIT_CODE = 99;

const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints, exports and publishes a result, and sets the exit code from its verdict. */
async function report(result: LoadTestResult, f: Pick<LoadtestFlags, 'json' | 'out' | 'html' | 'metrics'>): Promise<void> {
  if (f.out) writeFileSync(f.out, jsonText(result));
  if (f.html) writeFileSync(f.html, htmlReport(result));
  const { recording: _raw, ...printable } = result;
  printResult(printable, f, () => renderSummary(result));
  const projectId = projectIdOf(process.env);
  // Results become metric events when a project is configured, unless --no-metrics.
  if (f.metrics !== false && projectId) {
    const publisher = createPublisher({ projectId, source: `governor-loadtest`, exitHook: false, onError: () => undefined });
    const events = metricEventsOf(result);
    for (const e of events) publisher.emit(e);
    const stats = await publisher.close();
    if (stats.failed > 0 || stats.dropped > 0) process.stderr.write(`governor: WARNING ${stats.failed + stats.dropped} of ${events.length} result metric events were not published (is Pub/Sub reachable?)\n`);
    else if (!f.json) process.stdout.write(`${events.length} metric events published (operation loadtest_${result.summary.profile}; see \`governor metrics report\`)\n`);
  }
  if (!result.passed) process.exitCode = THRESHOLDS_FAILED_EXIT_CODE;
}

function guard<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof RemoteTargetError || error instanceof TargetSpecError) throw new CliError(error.message);
    throw error;
  });
}

export function registerLoadtestCommand(program: Command): void {
  const loadtest = program.command('loadtest').description(`load-test an HTTP endpoint or Governor's own pipeline: ${PROFILE_NAMES.join(', ')}`);

  loadtest
    .command('run <profile>', { isDefault: true })
    .description('run a profile (or --stages) against --url or --target governor; exit code 99 when a threshold fails')
    .option('--target <kind>', 'http (an endpoint, --url) or governor (publish events, measure until recorded)', 'http')
    .option('--url <url>', 'HTTP endpoint, e.g. http://127.0.0.1:8080/generate')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--header <name:value>', 'request header (repeatable)', collect, [])
    .option('--body <text|@file>', 'request body')
    .option('--scenario <module.js>', 'module exporting request(index) → { method, path, headers, body }')
    .option('--model <model>', 'open (arrival rate, default) or closed (virtual users)')
    .option('--rate <rps>', 'open model: peak requests/s (other stages scale)')
    .option('--vus <n>', 'closed model: peak virtual users (other stages scale)')
    .option('--rate-per-user <rps>', 'open model: requests/s per profile user', '1')
    .option('--duration <time>', 'total duration (stages scale), e.g. 30s, 5m')
    .option('--stages <list>', 'replace the stages: users:duration,… e.g. 10:30s,50:1m')
    .option('--quick [factor]', 'scale every stage duration by factor (default 0.05, ≥ 1 s per stage)')
    .option('--max-requests <n>', 'stop after starting this many requests')
    .option('--max-in-flight <n>', 'open model: most requests in flight at once (later arrivals wait, and it shows)')
    .option('--connections <n>', 'HTTP keep-alive connections per process')
    .option('--timeout <time>', 'per-request timeout (HTTP answer; governor: until recorded)')
    .option('--think-time <time>', 'closed model: pause between a user\'s requests')
    .option('--events <types>', 'governor target: cost,metric,security (default all, in turn)')
    .option('--threshold <expr>', 'pass/fail criterion, e.g. p95<500, error_rate<1%, rps>45 (repeatable)', collect, [])
    .option('--workers <n>', 'split the run across N local worker processes', '1')
    .option('--task-index <i>', `this Cloud Run task (default $${CLOUD_RUN_TASK_ENV.index}); stores its result for \`loadtest collect\``)
    .option('--task-count <n>', `tasks of the run (default $${CLOUD_RUN_TASK_ENV.count})`)
    .option('--run-id <id>', `run id (tasks: default $${CLOUD_RUN_TASK_ENV.execution})`)
    .option('--allow-remote', 'allow a target outside the loopback range')
    .addOption(jsonOption('print the result as JSON'))
    .option('--out <file.json>', 'write the full result (mergeable with `loadtest merge`)')
    .option('--html <file.html>', 'write a self-contained HTML report')
    .option('--no-metrics', 'do not publish the results as Governor metric events')
    .action(async (profile: string, f: LoadtestFlags) => {
      await guard(async () => {
        const plan = planOf(profile, f);
        const thresholds = thresholdsOf(f.threshold);
        const task = taskOf(f);
        const runId = f.runId ?? (task ? process.env[CLOUD_RUN_TASK_ENV.execution] : undefined) ?? runIdOf(f);
        const spec = targetSpecOf(f, runId);
        const workers = intOption(f.workers, 'workers', { min: 1, max: 64 });
        const executor = {
          maxInFlight: f.maxInFlight ? intOption(f.maxInFlight, 'max-in-flight', { min: 1, max: 1_000_000 }) : undefined,
          thinkTimeMilliseconds: f.thinkTime ? msOption(f.thinkTime, 'think-time') : undefined,
        };
        if (task) {
          // A Cloud Run task: its share of the run, stored for `loadtest collect`.
          const target = await createTarget(spec, Boolean(f.allowRemote));
          await target.open?.();
          const recording = await recordLoad(plan, target, { ...executor, partition: task });
          const projectId = projectIdOf(process.env);
          if (!projectId) throw new CliError('a task stores its result in Firestore: set GOOGLE_CLOUD_PROJECT');
          const db = new Firestore({ projectId });
          try {
            await storeTaskResult(db, runId, task.index, task.count, plan, target.label, recording);
          } finally {
            await db.terminate();
          }
          process.stdout.write(`task ${task.index + 1}/${task.count} of run ${runId}: ${recording.total.count} requests stored; \`governor loadtest collect ${runId}\` merges the tasks\n`);
          return;
        }
        const progress = terminalProgress();
        try {
          const result =
            workers > 1
              ? await runDistributed(plan, spec, { workers, allowRemote: Boolean(f.allowRemote), runId, thresholds, onProgress: progress.update, ...executor })
              : await runLoadTest(plan, await createTarget(spec, Boolean(f.allowRemote)), { runId, thresholds, onProgress: progress.update, ...executor });
          progress.done();
          await report(result, f);
        } finally {
          progress.done();
        }
      });
    });

  loadtest
    .command('profiles')
    .description('the built-in profiles and their stages')
    .addOption(jsonOption())
    .action((opts: JsonFlag) => {
      printResult(PROFILES, opts, () =>
        PROFILE_NAMES.map((n) => `${n.padEnd(12)} ${PROFILES[n].description}\n${' '.repeat(13)}stages ${PROFILES[n].stages.map((s) => `${s.users}:${s.durationSeconds}s`).join(',')}`).join('\n'),
      );
    });

  loadtest
    .command('merge <files...>')
    .description('merge results written with --out (e.g. from several machines) exactly, and judge them')
    .option('--threshold <expr>', 'pass/fail criterion (repeatable; default those of the first run)', collect, [])
    .addOption(jsonOption())
    .option('--out <file.json>', 'write the merged result')
    .option('--html <file.html>', 'write an HTML report')
    .option('--no-metrics', 'do not publish the results as metric events')
    .action(async (files: string[], f: LoadtestFlags) => {
      const results = files.map((file) => readJsonFile(file) as LoadTestResult);
      const first = results[0]!;
      const merged = mergeRecordings(results.map((r) => Recording.fromJSON(r.recording as SerializedRecording)));
      const thresholds = f.threshold.length > 0 ? thresholdsOf(f.threshold) : first.thresholds;
      await report(resultOf(first.runId, first.plan, first.summary.target, merged, thresholds), f);
    });

  loadtest
    .command('collect <runId>')
    .description('merge the results the Cloud Run tasks of a run stored, and judge them')
    .option('--threshold <expr>', 'pass/fail criterion (repeatable)', collect, [])
    .option('--wait <time>', 'wait up to this long for missing tasks', '0s')
    .addOption(jsonOption())
    .option('--out <file.json>', 'write the merged result')
    .option('--html <file.html>', 'write an HTML report')
    .option('--no-metrics', 'do not publish the results as metric events')
    .action(async (runId: string, f: LoadtestFlags & { wait: string }) => {
      const projectId = projectIdOf(process.env);
      if (!projectId) throw new CliError('set GOOGLE_CLOUD_PROJECT');
      const db = new Firestore({ projectId });
      try {
        const deadline = Date.now() + msOption(f.wait, 'wait');
        for (;;) {
          const got = await collectTaskResults(db, runId);
          if ('recording' in got) {
            await report(resultOf(runId, got.plan, got.target, got.recording, thresholdsOf(f.threshold)), f);
            return;
          }
          if (Date.now() >= deadline) throw new CliError(got.taskCount === null ? `no task results for run ${runId}` : `run ${runId}: tasks ${got.missing.join(', ')} of ${got.taskCount} have not stored results yet`);
          await new Promise((r) => setTimeout(r, 2000));
        }
      } finally {
        await db.terminate();
      }
    });
}

