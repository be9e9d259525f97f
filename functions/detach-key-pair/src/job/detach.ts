/**
 * The detach stage: DetachKeyPair in batches of 50. Full batches start as the plan hands on
 * holders; what is left starts once the plan is done. A batch that ECS refuses as a whole over
 * some of its instances is split until the others get done.
 */
import { DETACH_KEY_PAIR_MAX_IDS, type DetachKeyPairReply } from '../ecs/port';
import { normalizeDetachReply } from '../ecs/normalize';
import { EcsCallError, type EcsFailureKind } from '../errors';
import { failedBy } from '../result';
import type { Job } from './context';
import { isCallFailure, type Ledger } from './ledger';

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

/** Calls DetachKeyPair (with retries) for at most 50 instances. */
export type DetachCall = (instanceIds: string[]) => Promise<DetachKeyPairReply>;

function recordReply(ids: readonly string[], reply: DetachKeyPairReply, ledger: Ledger) {
  const normalized = normalizeDetachReply(reply);
  ledger.noteCallOn(ids, normalized.requestId);
  for (const instanceId of ids) {
    const entry = normalized.entries.get(instanceId);
    // Detached only on ECS's word for this very instance.
    if (entry === undefined) {
      ledger.markUnconfirmed([instanceId]);
      ledger.record(instanceId, {
        status: 'Failed',
        code: 'MissingResult',
        message: 'ECS returned no result for this instance; send the request again to confirm.',
        retryable: true,
      });
    } else if (entry.success) {
      ledger.record(instanceId, {
        status: 'Detached',
        code: entry.code || '200',
        message: entry.message || 'Detached.',
        retryable: false,
      });
    } else {
      ledger.markUnconfirmed([instanceId]);
      ledger.record(instanceId, {
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
  ledger: Ledger,
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
        ledger.record(ids[0], failedBy(error));
        return;
      }
      const middle = Math.ceil(ids.length / 2);
      await detachBatch(ids.slice(0, middle), detach, ledger);
      await detachBatch(ids.slice(middle), detach, ledger);
      return;
    }
    if (isCallFailure(error)) {
      ledger.fail(ids, error);
      // No answer came back, so ECS may have acted on the call all the same.
      if (error instanceof EcsCallError && ANSWER_MAY_BE_LOST.has(error.kind)) {
        ledger.markUnconfirmed(ids);
      }
      return;
    }
    throw error;
  }
  recordReply(ids, reply, ledger);
}

export interface DetachStage {
  /** Takes holders from the plan; starts every batch that is full. */
  add(instanceIds: string[]): void;
  /** Starts what is left and waits for every batch; returns unexpected errors (bugs). */
  finish(): Promise<unknown[]>;
}

export function startDetaching(job: Job): DetachStage {
  const { request, port, ledger, lookahead, calls } = job;
  const { RegionId: regionId, KeyPairName: keyPairName } = request;
  const detach: DetachCall = (instanceIds) =>
    calls.DetachKeyPair((options) =>
      port.detachKeyPair({ regionId, keyPairName, instanceIds }, options),
    );
  const pending: string[] = [];
  const runs: Promise<void>[] = [];
  const startBatches = (includePartial: boolean) => {
    while (pending.length >= DETACH_KEY_PAIR_MAX_IDS || (includePartial && pending.length > 0)) {
      const batch = pending.splice(0, DETACH_KEY_PAIR_MAX_IDS);
      lookahead.take(batch.length);
      runs.push(detachBatch(batch, detach, ledger).finally(() => lookahead.release(batch.length)));
    }
  };
  return {
    add(instanceIds) {
      pending.push(...instanceIds);
      startBatches(false);
    },
    async finish() {
      startBatches(true);
      // Every started batch is awaited before any error (a bug) escapes: none may outlive the answer.
      const settled = await Promise.allSettled(runs);
      return settled.flatMap((run) => (run.status === 'rejected' ? [run.reason] : []));
    },
  };
}
