/**
 * `work`, unless `signal` aborts first: then it rejects with the signal's reason at once and
 * `work` is left to finish (or fail) on its own. For in-process steps of start-up (a Pub/Sub
 * call retries for up to a minute once its emulator is gone) that cannot be cancelled.
 */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Settling after the abort is a no-op, and a late rejection is handled here, not unhandled.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Like `Promise.all`, but waits for every promise to settle before rejecting, so each start that
 * succeeds beside one that fails has registered itself for teardown by the time the error is seen.
 */
export async function allStarted<T>(starts: readonly (T | Promise<T>)[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
