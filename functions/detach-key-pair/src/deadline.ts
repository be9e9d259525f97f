/** Time, injectable so tests run without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * The time kept back from FC's timeout to write the answer and the logs: a tenth of the timeout,
 * at least half a second and at most five.
 */
function safetyMarginMs(timeoutMs: number): number {
  return Math.min(5000, Math.max(500, timeoutMs / 10));
}

export class Deadline {
  constructor(
    readonly at: number,
    private readonly clock: Clock,
  ) {}

  /** From `context.function.timeout` (seconds), counted from the invocation's start. */
  static forFunction(startedAt: number, timeoutSeconds: unknown, clock: Clock): Deadline {
    const seconds =
      typeof timeoutSeconds === 'number' && Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
        ? timeoutSeconds
        : DEFAULT_FUNCTION_TIMEOUT_SECONDS;
    const timeoutMs = seconds * 1000;
    return new Deadline(startedAt + timeoutMs - safetyMarginMs(timeoutMs), clock);
  }

  remainingMs(): number {
    return this.at - this.clock.now();
  }
}
