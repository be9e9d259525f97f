import type { EcsEmulator } from '../local/ecs-emulator';

/** The part of the function's result (docs/CONTRACTS.md) the bench checks. */
interface FunctionResult {
  TotalCount: number;
  DetachedCount: number;
  WouldDetachCount: number;
  SkippedCount: number;
  FailCount: number;
  Results: { InstanceId: string; Status: string; Code: string }[];
}

export interface Outcome {
  requested: number;
  /** Requested ids with no entry in Results. */
  lost: number;
  /** Entries beyond the first for the same id. */
  duplicated: number;
  /** Entries for ids that were never requested. */
  unexpected: number;
  detachedReported: number;
  /** Requested instances that no longer hold the key on the emulator. */
  detachedOnEcs: number;
  failed: number;
  /** Entries not Detached, by Code: why a run was not complete. */
  notDetachedByCode: Record<string, number>;
  countsAddUp: boolean;
  /** Every id exactly once, counts that add up, and Detached exactly where ECS detached. */
  exact: boolean;
  /** Every instance (all of which hold the key) detached. */
  complete: boolean;
}

function isFunctionResult(value: unknown): value is FunctionResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as FunctionResult).Results) &&
    typeof (value as FunctionResult).TotalCount === 'number'
  );
}

export function detachedOnEcs(emu: EcsEmulator, instanceIds: readonly string[]): number {
  return instanceIds.filter((id) => emu.state.instance(id)?.KeyPairName === undefined).length;
}

export function verifyOutcome(
  emu: EcsEmulator,
  requestedIds: readonly string[],
  result: unknown,
): Outcome {
  if (!isFunctionResult(result)) {
    throw new Error(
      `the handler returned no result object: ${JSON.stringify(result).slice(0, 500)}`,
    );
  }
  const requested = new Set(requestedIds);
  const seen = new Set<string>();
  let duplicated = 0;
  let unexpected = 0;
  for (const { InstanceId } of result.Results) {
    if (seen.has(InstanceId)) duplicated += 1;
    else if (!requested.has(InstanceId)) unexpected += 1;
    seen.add(InstanceId);
  }
  const lost = requestedIds.filter((id) => !seen.has(id)).length;
  const detachedReported = result.Results.filter((entry) => entry.Status === 'Detached').length;
  const notDetachedByCode: Record<string, number> = {};
  for (const { Status, Code } of result.Results) {
    if (Status !== 'Detached') notDetachedByCode[Code] = (notDetachedByCode[Code] ?? 0) + 1;
  }
  const actual = detachedOnEcs(emu, requestedIds);
  const countsAddUp =
    result.TotalCount === requested.size &&
    result.DetachedCount === detachedReported &&
    result.DetachedCount + result.WouldDetachCount + result.SkippedCount + result.FailCount ===
      result.TotalCount;
  return {
    requested: requested.size,
    lost,
    duplicated,
    unexpected,
    detachedReported,
    detachedOnEcs: actual,
    failed: result.FailCount,
    notDetachedByCode,
    countsAddUp,
    exact:
      lost === 0 &&
      duplicated === 0 &&
      unexpected === 0 &&
      countsAddUp &&
      detachedReported === actual,
    complete: actual === requested.size,
  };
}
