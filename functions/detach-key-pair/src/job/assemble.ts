/** The result stage: exactly one entry per distinct requested instance, and the counts. */
import type { DetachRequest } from '../request';
import type { DetachResult, InstanceOutcome, InstanceResult, InstanceStatus } from '../result';

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
