/**
 * Closes started by a signal and not settled yet, across every hook of the process (a publisher, a
 * spend guard, a second publisher): the signal is re-raised only once all of them have settled, or
 * the first to finish would end the process while the others still send.
 */
const closing = new Set<Promise<unknown>>();

/**
 * Flushes on `beforeExit` and closes on SIGINT/SIGTERM, then lets the signal do what it would
 * have done. Returns the function that removes the hook.
 */
export function installExitHook(flush: () => Promise<unknown>, close: () => Promise<unknown>): () => void {
  let flushing = false;
  const onBeforeExit = (): void => {
    // beforeExit fires again after the flush's I/O drains; flushing twice in a row would loop.
    if (flushing) return;
    flushing = true;
    void flush().finally(() => {
      flushing = false;
    });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    // A failed close still rejects unhandled, as before: it is not swallowed here.
    const closed: Promise<unknown> = close().finally(() => {
      closing.delete(closed);
      // Re-raise only when nobody else listens, so an application's own handler stays in charge.
      if (closing.size === 0 && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
    closing.add(closed);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  process.on('beforeExit', onBeforeExit);
  for (const s of signals) process.once(s, onSignal);

  function remove(): void {
    process.off('beforeExit', onBeforeExit);
    for (const s of signals) process.off(s, onSignal);
  }
  return remove;
}
