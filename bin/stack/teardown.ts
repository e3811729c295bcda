/** One thing a stack has started, and how to stop it. */
interface Step {
  name: string;
  stop: () => Promise<void> | void;
}

/** Thrown by `Teardown.run()` when some steps failed; every other step was still stopped. */
export class StopError extends Error {
  constructor(readonly failures: readonly { name: string; error: unknown }[]) {
    super(`could not stop ${failures.map((f) => `${f.name} (${f.error instanceof Error ? f.error.message : String(f.error)})`).join(', ')}`);
    this.name = 'StopError';
  }
}

/**
 * What a stack has started so far, registered the moment each piece is up, so that stopping works
 * at any point of start-up. `run()` stops everything at once (`Promise.allSettled`: one failure
 * does not leak the rest), is safe to call any number of times, and stops anything registered
 * after it began straight away.
 */
export class Teardown {
  private readonly steps = new Set<Step>();
  private readonly failures: { name: string; error: unknown }[] = [];
  private settling: Promise<void> | undefined;

  /** True once `run()` was called: starting more would only be stopped again. */
  get stopping(): boolean {
    return this.settling !== undefined;
  }

  /** Registers a started piece; the returned function forgets it (it was stopped some other way). */
  add(name: string, stop: Step['stop']): () => void {
    const step = { name, stop };
    if (this.settling) {
      // Came up after the stop began (its start could not be cancelled): stop it now, and make
      // every later `run()` wait for it too.
      this.settling = Promise.all([this.settling, this.settle([step])]).then(() => undefined);
      return () => undefined;
    }
    this.steps.add(step);
    return () => this.steps.delete(step);
  }

  /** Stops every registered piece at once; throws a StopError naming the ones that failed. */
  async run(): Promise<void> {
    if (!this.settling) {
      const steps = [...this.steps];
      this.steps.clear();
      this.settling = this.settle(steps);
    }
    // A late `add` may extend the settling while this waits: wait until nothing more came.
    let awaited: Promise<void> | undefined;
    while (awaited !== this.settling) {
      awaited = this.settling;
      await awaited;
    }
    if (this.failures.length > 0) throw new StopError(this.failures);
  }

  private async settle(steps: readonly Step[]): Promise<void> {
    // A stop that throws synchronously is a failure like a rejected one, not an escape.
    const results = await Promise.allSettled(steps.map(async (s) => s.stop()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.failures.push({ name: (steps[i] as Step).name, error: r.reason });
    });
  }
}
