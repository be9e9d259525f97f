/** Failures that end a run with exit code 2. */

/** Flags, environment or input files that do not make a valid run. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * FC or the function refused the request itself: retrying unchanged cannot help. `status` is the
 * HTTP status when the refusal came as one; the function's answer to an FC API invocation is an
 * error object in a 200, which has none.
 */
export class RefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
