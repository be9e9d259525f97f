import type { DetachKeyPairReply } from './ecs/port';
import { DeadlineExceededError, EcsCallError, type EcsFailureKind } from './errors';
import { failedBy, normalizeDetachReply, type InstanceOutcome } from './result';

/**
 * Codes with which ECS fails a whole DetachKeyPair call because of one (or some) of its
 * instances. Splitting the batch isolates them so the others still get done.
 */
const PER_INSTANCE_CAUSES: ReadonlySet<string> = new Set([
  'DependencyViolation.WindowsInstance',
  'DependencyViolation.IoOptimize',
  'InvalidInstanceIds.ValueNotSupported',
  'InvalidInstanceId.NotFound',
  'IncorrectInstanceStatus',
  'InstanceKeyPairLimitExceeded',
]);

const ANSWER_MAY_BE_LOST: ReadonlySet<EcsFailureKind> = new Set(['timeout', 'network']);

/** Where a batch's outcomes go; the job keeps one for the whole request. */
export interface ApplyLedger {
  settle(instanceId: string, outcome: InstanceOutcome): void;
  /** Outcomes that the instances' actual state should confirm before they are final. */
  recheck(instanceIds: readonly string[]): void;
  noteRequestId(requestId: string | undefined): void;
  /** Settles the instances with a whole-call failure and remembers it. */
  fail(instanceIds: readonly string[], error: EcsCallError | DeadlineExceededError): void;
  /** A failure every later call would meet too (RAM denial, the key pair missing). */
  readonly stopCause: EcsCallError | undefined;
}

/** Calls DetachKeyPair (with retries) for at most 50 instances. */
export type DetachCall = (instanceIds: string[]) => Promise<DetachKeyPairReply>;

function settleFromReply(ids: readonly string[], reply: DetachKeyPairReply, ledger: ApplyLedger) {
  const normalized = normalizeDetachReply(reply);
  ledger.noteRequestId(normalized.requestId);
  for (const instanceId of ids) {
    const entry = normalized.entries.get(instanceId);
    // Detached only on ECS's word for this very instance.
    if (entry === undefined) {
      ledger.recheck([instanceId]);
      ledger.settle(instanceId, {
        status: 'Failed',
        code: 'MissingResult',
        message: 'ECS returned no result for this instance; send the request again to confirm.',
        retryable: true,
      });
    } else if (entry.success) {
      ledger.settle(instanceId, {
        status: 'Detached',
        code: entry.code || '200',
        message: entry.message || 'Detached.',
        retryable: false,
      });
    } else {
      ledger.recheck([instanceId]);
      ledger.settle(instanceId, {
        status: 'Failed',
        code: entry.code || 'DetachFailed',
        message: entry.message || 'ECS reported a failure for this instance.',
        retryable: false,
      });
    }
  }
}

/** Detaches one batch, bisecting it when ECS refuses the whole call over some of its instances. */
export async function detachBatch(
  ids: string[],
  detach: DetachCall,
  ledger: ApplyLedger,
): Promise<void> {
  if (ledger.stopCause) {
    ledger.fail(ids, ledger.stopCause);
    return;
  }
  let reply: DetachKeyPairReply;
  try {
    reply = await detach(ids);
  } catch (error) {
    if (error instanceof EcsCallError && PER_INSTANCE_CAUSES.has(error.code)) {
      ledger.noteRequestId(error.details.requestId);
      if (ids.length === 1) {
        ledger.settle(ids[0], failedBy(error));
        return;
      }
      const middle = Math.ceil(ids.length / 2);
      await detachBatch(ids.slice(0, middle), detach, ledger);
      await detachBatch(ids.slice(middle), detach, ledger);
      return;
    }
    if (error instanceof EcsCallError || error instanceof DeadlineExceededError) {
      ledger.fail(ids, error);
      // No answer came back, so ECS may have acted on the call all the same.
      if (error instanceof EcsCallError && ANSWER_MAY_BE_LOST.has(error.kind)) ledger.recheck(ids);
      return;
    }
    throw error;
  }
  settleFromReply(ids, reply, ledger);
}
