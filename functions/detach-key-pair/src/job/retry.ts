import type { Clock, Deadline } from '../deadline';
import { DeadlineExceededError, EcsCallError } from '../errors';
import type { ActionPacer } from './pacer';
import type { CallOptions } from '../ecs/port';

export interface RetryPolicy {
  /** Attempts per call, the first included; throttles the pacer could not spare do not count. */
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

/** Exponential backoff with full jitter, for failures other than throttling. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return random() * ceiling;
}

export interface RetryContext {
  deadline: Deadline;
  clock: Clock;
  policy: RetryPolicy;
  /** The action's pacer: every attempt, retries included, starts when it says. */
  pacer: ActionPacer;
  /** Sees every failed attempt, e.g. to keep ECS's request ids. */
  onFailure?: (error: EcsCallError) => void;
}

/**
 * Runs one ECS call, retrying throttling, 5xx, network errors and timeouts. Throws the call's
 * EcsCallError when it is not retryable or attempts run out, and DeadlineExceededError (with the
 * last failure as cause) when the deadline leaves no room for another attempt.
 *
 * A throttled attempt is retried when the pacer allows, which waits out `x-acs-retry-after`. It
 * counts against `maxAttempts` only when it was news to the pacer (ActionPacer.throttled): an
 * attempt sent before the pacer slowed down, or throttled within a window of its last cut, is
 * ECS's verdict on a pace already given up, not on this call.
 */
export async function callWithRetry<T>(
  action: string,
  call: (options: CallOptions) => Promise<T>,
  { deadline, clock, policy, pacer, onFailure }: RetryContext,
): Promise<T> {
  let lastFailure: EcsCallError | undefined;
  const deadlineExceeded = () =>
    new DeadlineExceededError(
      `The deadline left no time to call ${action}${lastFailure ? ` after ${lastFailure.code}` : ''}.`,
      { cause: lastFailure },
    );
  let failedAttempts = 0;
  for (;;) {
    if (deadline.remainingMs() < policy.minCallTimeMs) throw deadlineExceeded();
    const ticket = await pacer.turn(deadline.at - policy.minCallTimeMs);
    if (!ticket) throw deadlineExceeded();
    try {
      const remainingMs = deadline.remainingMs();
      return await call({ timeoutMs: Math.min(policy.maxCallTimeoutMs, remainingMs) });
    } catch (error) {
      if (!(error instanceof EcsCallError)) throw error;
      onFailure?.(error);
      lastFailure = error;
      const counts =
        error.kind !== 'throttled' || pacer.throttled(ticket, error.details.retryAfterMs);
      if (counts) failedAttempts += 1;
      if (!error.retryable || failedAttempts >= policy.maxAttempts) throw error;
      if (error.kind === 'throttled') continue;
      const delayMs = backoffDelayMs(failedAttempts, policy, clock.random);
      // Sleeping into the deadline would only postpone the same answer.
      if (deadline.remainingMs() - delayMs < policy.minCallTimeMs) throw deadlineExceeded();
      await clock.sleep(delayMs);
    }
  }
}
