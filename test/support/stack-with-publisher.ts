import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { startTestStack, type TestStack } from './test-stack';

/** A test stack and one agent's publisher on it, usable from the block's tests on. */
export interface StackWithPublisher {
  readonly stack: TestStack;
  readonly publisher: GovernorPublisher;
}

/**
 * Registers, in the calling describe block, a beforeAll that starts the stack and a publisher for
 * agent `source`, and an afterAll that closes both — the publisher first, so its last batch still
 * reaches a running stack.
 */
export function stackWithPublisher(options: Parameters<typeof startTestStack>[0], source: string): StackWithPublisher {
  let stack: TestStack | undefined;
  let publisher: GovernorPublisher | undefined;
  beforeAll(async () => {
    stack = await startTestStack(options);
    publisher = createPublisher({ projectId: stack.projectId, source, exitHook: false });
  });
  afterAll(async () => {
    await publisher?.close();
    await stack?.close();
  });
  return {
    get stack() {
      return startedInBeforeAll(stack);
    },
    get publisher() {
      return startedInBeforeAll(publisher);
    },
  };
}

/** A value a beforeAll sets, read from a test or hook; a clear error when read before it ran. */
export function startedInBeforeAll<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the stack starts in beforeAll: use it from a test or hook');
  return value;
}
