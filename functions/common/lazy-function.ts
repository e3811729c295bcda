import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';

/** An HTTP function whose handler (its clients, timers and settings) is made on first use. */
export interface LazyFunction extends HttpFunction {
  /** Makes the handler now, once: a function that fails to build then fails where this is called. */
  build(): HttpFunction;
}

/**
 * Defers `create` until the function is called or built, so a module listing every function can
 * be imported without building any; a `create` that throws is tried again on the next call.
 */
export function lazyFunction(create: () => HttpFunction): LazyFunction {
  let handler: HttpFunction | undefined;
  const build = (): HttpFunction => (handler ??= create());
  return Object.assign((req: Request, res: Response): unknown => build()(req, res), { build });
}
