/** Failures that end a run before any result exists; both exit with code 2. */

/** Flags, environment or input files that do not make a valid run. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** FC or the function refused the request itself (4xx): retrying unchanged cannot help. */
export class RefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
