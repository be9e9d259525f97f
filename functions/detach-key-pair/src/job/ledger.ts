/** The job's record of a request: per-instance outcomes, ECS request ids and call failures. */
import { DeadlineExceededError, EcsCallError } from '../errors';
import { failedBy, type GuestRemoval, type InstanceOutcome, type RestartOutcome } from '../result';

export type CallFailure = EcsCallError | DeadlineExceededError;

/** A call's failure as the job expects them; anything else is a bug and is thrown on. */
export function isCallFailure(error: unknown): error is CallFailure {
  return error instanceof EcsCallError || error instanceof DeadlineExceededError;
}

const STOPPING_KINDS = new Set(['forbidden', 'credentials', 'keyPairNotFound', 'regionNotFound']);

/** What the job has learnt so far: each instance's outcome, ECS's request ids, what failed. */
export class Ledger {
  readonly outcomes = new Map<string, InstanceOutcome>();
  /** Online: what the removal script did on each guest it ran on. */
  readonly guests = new Map<string, GuestRemoval>();
  /** Reboot: what became of each restart, and a dry run's planned wave. */
  readonly restarts = new Map<string, RestartOutcome>();
  readonly waves = new Map<string, number>();
  /** The ECS request ids of the calls that changed each instance: its audit trail. */
  readonly instanceRequestIds = new Map<string, string[]>();
  /** Online: the revoked key's fingerprint, for the record (never the key itself). */
  keyFingerprint: string | undefined;
  readonly requestIds = new Set<string>();
  private readonly failures: CallFailure[] = [];
  /** A failure every later call would meet too (RAM denial, the key pair missing). */
  stopCause: EcsCallError | undefined;
  /** Whether ECS answered for at least one instance (not counting whole-call failures). */
  answeredAny = false;

  /** Failures ECS reported that the instance's actual state must confirm (see confirm.ts). */
  readonly unconfirmed: string[] = [];

  /** The instance's outcome as ECS answered for it; a later record replaces an earlier one. */
  record(instanceId: string, outcome: InstanceOutcome): void {
    this.answeredAny = true;
    this.outcomes.set(instanceId, outcome);
  }

  /** What a later check learnt about an instance's recorded outcome, added to it. */
  amend(instanceId: string, change: (recorded: InstanceOutcome) => InstanceOutcome): void {
    const recorded = this.outcomes.get(instanceId);
    if (recorded) this.outcomes.set(instanceId, change(recorded));
  }

  markUnconfirmed(instanceIds: readonly string[]): void {
    this.unconfirmed.push(...instanceIds);
  }

  noteRequestId(requestId: string | undefined): void {
    if (requestId) this.requestIds.add(requestId);
  }

  /** A call that acted on these instances (DetachKeyPair, RunCommand, RebootInstances). */
  noteCallOn(instanceIds: readonly string[], requestId: string | undefined): void {
    this.noteRequestId(requestId);
    if (!requestId) return;
    for (const instanceId of instanceIds) {
      const ids = this.instanceRequestIds.get(instanceId);
      if (ids) ids.push(requestId);
      else this.instanceRequestIds.set(instanceId, [requestId]);
    }
  }

  /** Marks the instances Failed with a whole-call failure and remembers it. */
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
