// A load-test worker process: forked by worker-pool.ts, runs its partition of the plan, sends its recording.
import { performance } from 'node:perf_hooks';
import type { LoadTarget } from './load-target';
import { recordLoad } from './run-load-test';
import { createTarget } from './target-spec';
import type { FromWorker, ToWorker } from './worker-protocol';

const send = (m: FromWorker) => new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));
let prepared: { message: Extract<ToWorker, { type: 'prepare' }>; target: LoadTarget } | undefined;

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'prepare') {
    const target = await createTarget(message.target, message.allowRemote);
    await target.open?.();
    prepared = { message, target };
    await send({ type: 'ready' });
    return;
  }
  if (!prepared) throw new Error('start before prepare');
  const { message: p, target } = prepared;
  const startAt = performance.now() + (message.startAtEpochMilliseconds - Date.now());
  const recording = await recordLoad(p.plan, target, {
    ...p.executor,
    partition: p.partition,
    startAt,
    progressIntervalMilliseconds: p.progressIntervalMilliseconds,
    onWindow: (cell) => void send({ type: 'window', cell: cell.toJSON() }),
  });
  await send({ type: 'result', recording: recording.toJSON() });
  process.disconnect();
}

process.on('message', (message: ToWorker) => {
  handle(message).catch(async (error: unknown) => {
    await send({ type: 'error', message: (error as Error).message ?? String(error) });
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
