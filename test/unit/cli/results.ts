/** Function results as one invocation returns them, for the CLI's merging and reporting. */
import type { DetachResult, InstanceResult, RunRequest } from '../../../cli/result';

export const request = {
  RegionId: 'cn-hangzhou',
  KeyPairName: 'demo-key',
  DryRun: false,
} satisfies RunRequest;

export function entry(InstanceId: string, Status: InstanceResult['Status']): InstanceResult {
  return {
    InstanceId,
    Status,
    Success: Status !== 'Failed',
    Code: Status,
    Message: '',
    Retryable: false,
    RestartRequired: Status === 'Detached',
  };
}

export function result(
  RequestId: string,
  entries: InstanceResult[],
  EcsRequestIds: string[],
  DeadlineExceeded = false,
): DetachResult {
  const count = (status: InstanceResult['Status']): number =>
    entries.filter((e) => e.Status === status).length;
  return {
    RequestId,
    ...request,
    Mode: 'Detach',
    TotalCount: entries.length,
    DetachedCount: count('Detached'),
    RevokedCount: count('Revoked'),
    WouldDetachCount: count('WouldDetach'),
    WouldRevokeCount: count('WouldRevoke'),
    SkippedCount: count('Skipped'),
    FailCount: count('Failed'),
    DeadlineExceeded,
    Results: entries,
    EcsRequestIds,
  };
}
