/** The job's record of a request: per-instance outcomes, ECS request ids and call failures. */
import type { ApplyLedger } from './apply';
import { DeadlineExceededError, EcsCallError } from './errors';
import { failedBy, type InstanceOutcome } from './result';

type CallFailure = EcsCallError | DeadlineExceededError;

const STOPPING_KINDS = new Set(['forbidden', 'credentials', 'keyPairNotFound', 'regionNotFound']);

/** What the job has learnt so far: each instance's outcome, ECS's request ids, what failed. */
export class Ledger implements ApplyLedger {
  readonly outcomes = new Map<string, InstanceOutcome>();
  readonly requestIds = new Set<string>();
  private readonly failures: CallFailure[] = [];
  stopCause: EcsCallError | undefined;
  /** Whether ECS answered for at least one instance (not counting whole-call failures). */
  answeredAny = false;

  /** ECS's per-instance failures, to be checked against the instance's actual state. */
  readonly doubted: string[] = [];

  settle(instanceId: string, outcome: InstanceOutcome): void {
    this.answeredAny = true;
    this.outcomes.set(instanceId, outcome);
  }

  recheck(instanceIds: readonly string[]): void {
    this.doubted.push(...instanceIds);
  }

  noteRequestId(requestId: string | undefined): void {
    if (requestId) this.requestIds.add(requestId);
  }

  fail(instanceIds: readonly string[], error: CallFailure): void {
    this.failures.push(error);
    if (error instanceof EcsCallError) {
      this.noteRequestId(error.details.requestId);
      if (STOPPING_KINDS.has(error.kind)) this.stopCause ??= error;
    }
    const outcome = failedBy(error);
    instanceIds.forEach((instanceId) => this.outcomes.set(instanceId, outcome));
  }

  /** The failure that answers for the whole request when ECS answered for no instance. */
  worstFailure(): CallFailure | undefined {
    return this.failures.reduce<CallFailure | undefined>(
      (worst, failure) => (!worst || severity(failure) > severity(worst) ? failure : worst),
      undefined,
    );
  }
}

/** The order in which a shared cause decides the answer to the whole request. */
function severity(failure: CallFailure): number {
  // Causes every call would meet (RAM, the key pair, the region) are answered before this.
  if (failure instanceof EcsCallError && failure.kind === 'throttled') return 3;
  return failure instanceof DeadlineExceededError ? 2 : 1;
}
