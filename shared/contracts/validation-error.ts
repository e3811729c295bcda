import type { z } from 'zod';

/** One rejected field: a dotted path (`payload.amountMicros`) and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Input that failed validation; the message names every offending field. */
export class ValidationError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '));
    this.name = new.target.name;
  }

  /** Converts zod's issues, optionally prefixing each path (e.g. with the option group). */
  static fromZod<T extends ValidationError>(
    this: new (issues: readonly FieldIssue[]) => T,
    error: z.ZodError,
    prefix: readonly PropertyKey[] = [],
  ): T {
    return new this(
      error.issues.map((issue) => ({
        path: [...prefix, ...issue.path].map(String).join('.'),
        message: issue.message,
      })),
    );
  }
}

/** An event that does not match the wire format. */
export class EventValidationError extends ValidationError {}

/** A bad option or configuration value, thrown when a component is constructed or loaded. */
export class OptionsError extends ValidationError {}
