/** Stops the run's emulators by process group, so no java process outlives the tests. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([...(globalThis.governorEmulators ?? []).map((e) => e.stop()), globalThis.governorRedis?.stop()]);
  globalThis.governorEmulators = undefined;
  globalThis.governorRedis = undefined;
}
