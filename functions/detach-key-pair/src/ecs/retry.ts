import type { Clock, Deadline } from '../deadline';
import { DeadlineExceededError, EcsCallError } from '../errors';
import type { CallOptions } from './port';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest any one attempt may take, deadline permitting. */
  maxCallTimeoutMs: number;
  /** Below this much time left, an attempt is not started: it could not finish. */
  minCallTimeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxCallTimeoutMs: 10_000,
  minCallTimeMs: 250,
};

/** Exponential backoff with full jitter; ECS's `x-acs-retry-after`, when sent, wins. */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) {
    // A little jitter on top, so callers told the same time do not all return at once.
    return retryAfterMs + random() * policy.baseDelayMs;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return random() * ceiling;
}

export interface RetryContext {
  deadline: Deadline;
  clock: Clock;
  policy: RetryPolicy;
  /** Sees every failed attempt, e.g. so concurrency can back off on throttling. */
  onFailure?: (error: EcsCallError) => void;
}

/**
 * Runs one ECS call, retrying throttling, 5xx, network errors and timeouts. Throws the call's
 * EcsCallError when it is not retryable or attempts run out, and DeadlineExceededError (with the
 * last failure as cause) when the deadline leaves no room for another attempt.
 */
export async function callWithRetry<T>(
  action: string,
  call: (options: CallOptions) => Promise<T>,
  { deadline, clock, policy, onFailure }: RetryContext,
): Promise<T> {
  let lastFailure: EcsCallError | undefined;
  const deadlineExceeded = () =>
    new DeadlineExceededError(
      `The deadline left no time to call ${action}${lastFailure ? ` after ${lastFailure.code}` : ''}.`,
      { cause: lastFailure },
    );
  for (let attempt = 1; ; attempt += 1) {
    const remainingMs = deadline.remainingMs();
    if (remainingMs < policy.minCallTimeMs) throw deadlineExceeded();
    try {
      return await call({ timeoutMs: Math.min(policy.maxCallTimeoutMs, remainingMs) });
    } catch (error) {
      if (!(error instanceof EcsCallError)) throw error;
      onFailure?.(error);
      lastFailure = error;
      if (!error.retryable || attempt >= policy.maxAttempts) throw error;
      const delayMs = backoffDelayMs(attempt, error.details.retryAfterMs, policy, clock.random);
      // Sleeping into the deadline would only postpone the same answer.
      if (deadline.remainingMs() - delayMs < policy.minCallTimeMs) throw deadlineExceeded();
      await clock.sleep(delayMs);
    }
  }
}
