/**
 * The one place where ECS's loose values ("true", "2", or true, 2, depending on the SDK's cast
 * and the API's examples) become typed values, and where the caller's result is assembled.
 */
import type { DescribedInstance, DetachKeyPairReply, LooseScalar } from './ecs/port';
import type { DetachRequest } from './request';

export const STATUSES = ['Detached', 'WouldDetach', 'Skipped', 'Failed'] as const;
export type InstanceStatus = (typeof STATUSES)[number];

/** What happened to one instance, before it is rendered. */
export interface InstanceOutcome {
  status: InstanceStatus;
  code: string;
  message: string;
  /** For Failed: whether the same request, sent again later, may succeed. */
  retryable: boolean;
}

export interface InstanceResult {
  InstanceId: string;
  Status: InstanceStatus;
  Success: boolean;
  Code: string;
  Message: string;
  Retryable: boolean;
}

export interface DetachResult {
  RequestId: string;
  RegionId: string;
  KeyPairName: string;
  DryRun: boolean;
  TotalCount: number;
  DetachedCount: number;
  WouldDetachCount: number;
  SkippedCount: number;
  FailCount: number;
  /** True when the function's deadline stopped work; the affected instances say DeadlineExceeded. */
  DeadlineExceeded: boolean;
  Results: InstanceResult[];
  EcsRequestIds: string[];
}

export function toBoolean(value: LooseScalar): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function toText(value: LooseScalar): string {
  return value === null || value === undefined ? '' : String(value);
}

export interface NormalizedInstance {
  instanceId: string;
  isWindows: boolean;
  /** Undefined when the instance holds no key pair. */
  keyPairName?: string;
}

export function normalizeInstance(instance: DescribedInstance): NormalizedInstance {
  const keyPairName = toText(instance.keyPairName).trim();
  return {
    instanceId: toText(instance.instanceId).trim(),
    isWindows: toText(instance.osType).trim().toLowerCase() === 'windows',
    keyPairName: keyPairName === '' ? undefined : keyPairName,
  };
}

export interface NormalizedDetachEntry {
  success: boolean;
  code: string;
  message: string;
}

export interface NormalizedDetachReply {
  requestId?: string;
  entries: Map<string, NormalizedDetachEntry>;
}

export function normalizeDetachReply(reply: DetachKeyPairReply): NormalizedDetachReply {
  const entries = new Map<string, NormalizedDetachEntry>();
  for (const entry of reply.results) {
    entries.set(toText(entry.instanceId).trim(), {
      success: toBoolean(entry.success),
      code: toText(entry.code),
      message: toText(entry.message),
    });
  }
  return { requestId: reply.requestId, entries };
}

const NOT_PROCESSED: InstanceOutcome = {
  status: 'Failed',
  code: 'NotProcessed',
  message: 'The instance was not processed; send the request again.',
  retryable: true,
};

export function buildResult(
  requestId: string,
  request: DetachRequest,
  outcomes: ReadonlyMap<string, InstanceOutcome>,
  ecsRequestIds: readonly string[],
): DetachResult {
  const results = request.InstanceIds.map((instanceId): InstanceResult => {
    const outcome = outcomes.get(instanceId) ?? NOT_PROCESSED;
    return {
      InstanceId: instanceId,
      Status: outcome.status,
      Success: outcome.status !== 'Failed',
      Code: outcome.code,
      Message: outcome.message,
      Retryable: outcome.status === 'Failed' && outcome.retryable,
    };
  });
  const count = (status: InstanceStatus) =>
    results.filter((result) => result.Status === status).length;
  return {
    RequestId: requestId,
    RegionId: request.RegionId,
    KeyPairName: request.KeyPairName,
    DryRun: request.DryRun,
    TotalCount: results.length,
    DetachedCount: count('Detached'),
    WouldDetachCount: count('WouldDetach'),
    SkippedCount: count('Skipped'),
    FailCount: count('Failed'),
    DeadlineExceeded: results.some((result) => result.Code === 'DeadlineExceeded'),
    Results: results,
    EcsRequestIds: [...ecsRequestIds],
  };
}

/** Every instance a failed call covered shares its cause. */
export function failedBy(error: {
  code: string;
  message: string;
  retryable: boolean;
}): InstanceOutcome {
  return {
    status: 'Failed',
    code: error.code,
    message: error.message,
    retryable: error.retryable,
  };
}
