/**
 * Plan and apply, pipelined: each DescribeInstances chunk (100 ids) is classified as soon as it
 * returns, and full DetachKeyPair batches (50 ids) start while later chunks are still being
 * described. Each kind of call has its own pacer and concurrency ceiling, since ECS throttles
 * per API.
 */
import { detachBatch } from './apply';
import type { Clock, Deadline } from './deadline';
import { ConcurrencyLimiter } from './ecs/limiter';
import { ActionPacer } from './ecs/pacer';
import {
  DESCRIBE_INSTANCES_MAX_IDS,
  DETACH_KEY_PAIR_MAX_IDS,
  type CallOptions,
  type EcsPort,
} from './ecs/port';
import { callWithRetry, type RetryPolicy } from './ecs/retry';
import { DeadlineExceededError, EcsCallError } from './errors';
import { Ledger } from './ledger';
import { PLAN_LOOKAHEAD_IDS_PER_CALL_SLOT, PlanLookahead } from './lookahead';
import { classifyInstance, describeChunk } from './plan';
import type { DetachRequest } from './request';
import type { InstanceOutcome } from './result';

export interface JobDependencies {
  port: EcsPort;
  deadline: Deadline;
  clock: Clock;
  retryPolicy: RetryPolicy;
  concurrency: number;
}

export interface JobOutcome {
  outcomes: Map<string, InstanceOutcome>;
  ecsRequestIds: string[];
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

export async function runJob(request: DetachRequest, deps: JobDependencies): Promise<JobOutcome> {
  const { port, deadline, clock, retryPolicy, concurrency } = deps;
  const ledger = new Ledger();

  function limited(action: string) {
    const limiter = new ConcurrencyLimiter(concurrency);
    const pacer = new ActionPacer(clock);
    return <T>(call: (options: CallOptions) => Promise<T>): Promise<T> =>
      limiter.run(async () => {
        // Calls queued before a cause every call would meet was learnt are not sent.
        if (ledger.stopCause) throw ledger.stopCause;
        return callWithRetry(action, call, {
          deadline,
          clock,
          policy: retryPolicy,
          pacer,
          onFailure: (error) => ledger.noteRequestId(error.details.requestId),
        });
      });
  }
  const describe = limited('DescribeInstances');
  const detach = limited('DetachKeyPair');
  const lookUpKeyPair = limited('DescribeKeyPairs');
  const { RegionId: regionId, KeyPairName: keyPairName } = request;

  const pending: string[] = [];
  let holdersFound = false;
  const detachRuns: Promise<void>[] = [];
  // One slot more than the calls allowed in flight, so a describe and a detach always overlap.
  const lookahead = new PlanLookahead((concurrency + 1) * PLAN_LOOKAHEAD_IDS_PER_CALL_SLOT);
  const startBatches = (includePartial: boolean) => {
    while (pending.length >= DETACH_KEY_PAIR_MAX_IDS || (includePartial && pending.length > 0)) {
      const batch = pending.splice(0, DETACH_KEY_PAIR_MAX_IDS);
      lookahead.take(batch.length);
      detachRuns.push(
        detachBatch(
          batch,
          (instanceIds) =>
            detach((options) =>
              port.detachKeyPair({ regionId, keyPairName, instanceIds }, options),
            ),
          ledger,
        ).finally(() => lookahead.release(batch.length)),
      );
    }
  };

  /** The instances ECS knows among at most 100 ids; a call failure is returned, not thrown. */
  const describeIds = async (instanceIds: string[]) => {
    try {
      return await describeChunk(async (nextToken) => {
        const page = await describe((options) =>
          port.describeInstances({ regionId, instanceIds, nextToken }, options),
        );
        ledger.noteRequestId(page.requestId);
        return page;
      });
    } catch (error) {
      if (error instanceof EcsCallError || error instanceof DeadlineExceededError) return error;
      throw error;
    }
  };

  const planChunk = async (instanceIds: string[]) => {
    await lookahead.reserve(instanceIds.length);
    if (ledger.stopCause) {
      lookahead.release(instanceIds.length);
      ledger.fail(instanceIds, ledger.stopCause);
      return;
    }
    const found = await describeIds(instanceIds);
    lookahead.release(instanceIds.length);
    if (!(found instanceof Map)) {
      ledger.fail(instanceIds, found);
      return;
    }
    for (const instanceId of instanceIds) {
      const entry = classifyInstance(keyPairName, found.get(instanceId));
      if (entry.action === 'settled') {
        ledger.settle(instanceId, entry.outcome);
        continue;
      }
      holdersFound = true;
      if (request.DryRun) {
        ledger.settle(instanceId, {
          status: 'WouldDetach',
          code: 'DryRunOperation',
          message: `The instance holds key pair ${keyPairName}; it would be detached.`,
          retryable: false,
        });
      } else pending.push(instanceId);
    }
    startBatches(false);
  };

  /**
   * When no instance holds the key, a misspelt name would otherwise pass for "nothing to do":
   * one DescribeKeyPairs call tells the two apart. It costs a call only on this path, and a
   * failed look-up leaves the answer as planned.
   */
  const confirmKeyPairExists = async () => {
    try {
      const lookup = await lookUpKeyPair((options) =>
        port.findKeyPair({ regionId, keyPairName }, options),
      );
      ledger.noteRequestId(lookup.requestId);
      if (!lookup.exists) {
        ledger.stopCause = new EcsCallError(
          'DescribeKeyPairs',
          'keyPairNotFound',
          'InvalidKeyPairName.NotFound',
          `The key pair ${keyPairName} does not exist in ${regionId}.`,
          { requestId: lookup.requestId },
        );
      }
    } catch (error) {
      if (!(error instanceof EcsCallError || error instanceof DeadlineExceededError)) throw error;
    }
  };

  /**
   * A per-instance failure may be the echo of a detach that did happen: when ECS's answer to a
   * call is lost and the call is retried, the retry finds the key already gone. Asking ECS for
   * the instance's state settles it: no longer holding the key is Skipped (the desired state,
   * checked), still holding it keeps ECS's failure. Costs calls only when ECS reported failures.
   */
  const verifyDoubted = async (instanceIds: string[]) => {
    const found = await describeIds(instanceIds);
    if (!(found instanceof Map)) {
      // Unchecked, the failure may be stale: sending the request again will check.
      for (const instanceId of instanceIds) {
        const reported = ledger.outcomes.get(instanceId);
        if (!reported) continue;
        ledger.outcomes.set(instanceId, {
          ...reported,
          retryable: true,
          message: `${reported.message} (Its state could not be checked: ${found.code}.)`,
        });
      }
      return;
    }
    for (const instanceId of instanceIds) {
      const entry = classifyInstance(keyPairName, found.get(instanceId));
      const reported = ledger.outcomes.get(instanceId);
      if (entry.action !== 'settled' || entry.outcome.status !== 'Skipped' || !reported) continue;
      ledger.settle(instanceId, {
        ...entry.outcome,
        message: `${entry.outcome.message} (Checked after DetachKeyPair reported ${reported.code}: ${reported.message})`,
      });
    }
  };

  const planned = await Promise.allSettled(
    chunked(request.InstanceIds, DESCRIBE_INSTANCES_MAX_IDS).map(planChunk),
  );
  startBatches(true);
  // Every started batch is awaited before any error (a bug) escapes: none may outlive the answer.
  const applied = await Promise.allSettled(detachRuns);
  for (const outcome of [...planned, ...applied]) {
    if (outcome.status === 'rejected') throw outcome.reason;
  }
  await Promise.all(chunked(ledger.doubted, DESCRIBE_INSTANCES_MAX_IDS).map(verifyDoubted));
  if (!holdersFound && ledger.answeredAny && !ledger.stopCause) await confirmKeyPairExists();

  const detachedAny = [...ledger.outcomes.values()].some((o) => o.status === 'Detached');
  // A cause every call would meet (RAM denial, no such key pair) is the answer to the request.
  if (ledger.stopCause && !detachedAny) throw ledger.stopCause;
  const worstFailure = ledger.worstFailure();
  if (!ledger.answeredAny && worstFailure) {
    // ECS answered for no instance: answering with the failure (rather than a result full of
    // Failed entries) lets the caller, or FC's async retry, act on it. Once ECS has answered
    // for some, the result keeps them and marks the rest Failed.
    throw worstFailure;
  }
  return { outcomes: ledger.outcomes, ecsRequestIds: [...ledger.requestIds] };
}
