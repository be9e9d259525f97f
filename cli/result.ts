/**
 * The function's result (its own type, so the two cannot drift) and the one merged result of a run split across
 * invocations: Results concatenated, counts summed, request ids concatenated.
 */

import type { InstanceTag } from '../functions/detach-key-pair/src/ecs/port';
import type { Mode, Target } from '../functions/detach-key-pair/src/request';
import type {
  DetachResult,
  InstanceResult,
  InstanceStatus,
} from '../functions/detach-key-pair/src/result';

export type { DetachResult, InstanceResult, InstanceStatus };

/** One result for the whole run; `RequestIds` names every invocation that produced a result. */
export type MergedResult = Omit<DetachResult, 'RequestId'> & { RequestIds: string[] };

export interface RunRequest {
  /** A region; with a Target, also a list of regions or "*". */
  RegionId: string | string[];
  KeyPairName: string;
  DryRun: boolean;
  /** Absent: the function's default, Detach. */
  Mode?: Mode;
  MaxUnavailable?: number;
  ForceReboot?: boolean;
  /** Select the instances instead of naming them (no InstanceIds then). */
  Target?: Target;
  Tags?: InstanceTag[];
  ExpectedCount?: number;
  DeleteKeyPair?: boolean;
}

/** What one invocation came back with. */
export type ChunkOutcome =
  | { kind: 'result'; result: DetachResult }
  /** The invocation failed as a whole (function error, timeout, 5xx, network): its ids are unknown. */
  | {
      kind: 'failed';
      instanceIds: string[];
      code: string;
      message: string;
      /** Whether sending these ids again may help, as for an instance's own Retryable. */
      retryable: boolean;
    };

const COUNT_FIELDS = [
  'TotalCount',
  'DetachedCount',
  'RevokedCount',
  'WouldDetachCount',
  'WouldRevokeCount',
  'SkippedCount',
  'FailCount',
] as const;

export function isDetachResult(value: unknown): value is DetachResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as DetachResult).Results) &&
    COUNT_FIELDS.every((field) => typeof (value as DetachResult)[field] === 'number')
  );
}

/** A failed invocation still accounts for each of its instances, so the counts add up. */
function failedChunkResult(outcome: Extract<ChunkOutcome, { kind: 'failed' }>): InstanceResult[] {
  return outcome.instanceIds.map((InstanceId) => ({
    InstanceId,
    Status: 'Failed',
    Success: false,
    Code: outcome.code,
    Message: outcome.message,
    Retryable: outcome.retryable,
    // Unknown: whatever the function did to these instances, it did not report it.
    RestartRequired: false,
  }));
}

/** The instances one invocation accounts for, answered or not. */
export function instanceResultsOf(outcome: ChunkOutcome): InstanceResult[] {
  return outcome.kind === 'result' ? outcome.result.Results : failedChunkResult(outcome);
}

export function mergeResults(request: RunRequest, outcomes: ChunkOutcome[]): MergedResult {
  const merged: MergedResult = {
    RegionId: Array.isArray(request.RegionId) ? request.RegionId.join(',') : request.RegionId,
    KeyPairName: request.KeyPairName,
    Mode: request.Mode ?? 'Detach',
    DryRun: request.DryRun,
    TotalCount: 0,
    DetachedCount: 0,
    RevokedCount: 0,
    WouldDetachCount: 0,
    WouldRevokeCount: 0,
    SkippedCount: 0,
    FailCount: 0,
    DeadlineExceeded: false,
    Results: [],
    EcsRequestIds: [],
    RequestIds: [],
  };
  for (const outcome of outcomes) {
    merged.Results.push(...instanceResultsOf(outcome));
    if (outcome.kind === 'result') {
      for (const field of COUNT_FIELDS) merged[field] += outcome.result[field];
      merged.DeadlineExceeded ||= outcome.result.DeadlineExceeded;
      merged.EcsRequestIds.push(...outcome.result.EcsRequestIds);
      merged.RequestIds.push(outcome.result.RequestId);
      if (outcome.result.Target) merged.Target = outcome.result.Target;
      if (outcome.result.Regions)
        merged.Regions = [...(merged.Regions ?? []), ...outcome.result.Regions];
    } else {
      merged.TotalCount += outcome.instanceIds.length;
      merged.FailCount += outcome.instanceIds.length;
    }
  }
  return merged;
}

const EXIT_DONE = 0;
const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE_OR_REFUSED = 2;

/** 0 when every instance is done (Detached, Skipped or WouldDetach), 1 when any failed. */
export function exitCodeFor(result: MergedResult): number {
  const allDone =
    result.FailCount === 0 && result.Results.every((entry) => entry.Status !== 'Failed');
  return allDone ? EXIT_DONE : EXIT_SOME_FAILED;
}

export function countByStatus(result: MergedResult): Map<InstanceStatus, number> {
  const counts = new Map<InstanceStatus, number>();
  for (const entry of result.Results) counts.set(entry.Status, (counts.get(entry.Status) ?? 0) + 1);
  return counts;
}
