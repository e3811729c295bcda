/**
 * jest runs each test file in a vm context whose `globalThis` is not Node's, so libraries that
 * look Node's fetch dispatcher up on `globalThis[Symbol.for('undici.globalDispatcher.1')]` (like
 * @google/genai) find nothing and fail with "Undici globalDispatcher is not available". Outside
 * jest the lookup works as is. This copies the real dispatcher into the test context.
 */
export async function shareUndiciDispatcher(): Promise<void> {
  const symbol = Symbol.for('undici.globalDispatcher.1');
  // A function of Node's own realm evaluates `globalThis` there.
  const nodeGlobal = (process.constructor.constructor as FunctionConstructor)('return globalThis')() as Record<symbol, unknown>;
  // Node creates its dispatcher lazily, on the first fetch.
  if (!nodeGlobal[symbol]) await fetch('http://127.0.0.1:9/').catch(() => undefined);
  (globalThis as unknown as Record<symbol, unknown>)[symbol] = nodeGlobal[symbol];
}
