/** The result stage: exactly one entry per distinct requested instance, and the counts. */
import type { DetachRequest } from '../request';
import type {
  DetachResult,
  InstanceOutcome,
  InstanceResult,
  InstanceStatus,
  PasswordLogin,
} from '../result';
import type { Ledger } from './ledger';

const NOT_PROCESSED: InstanceOutcome = {
  status: 'Failed',
  code: 'NotProcessed',
  message: 'The instance was not processed; send the request again.',
  retryable: true,
};

/** What the job learnt beyond each instance's outcome (Online and Reboot). */
export type JobFindings = Pick<Ledger, 'guests' | 'restarts' | 'waves'>;

const NO_FINDINGS: JobFindings = { guests: new Map(), restarts: new Map(), waves: new Map() };

function entryFor(
  instanceId: string,
  outcome: InstanceOutcome,
  request: DetachRequest,
  findings: JobFindings,
): InstanceResult {
  const restart = findings.restarts.get(instanceId);
  // Only detached instances are restarted: one whose restart failed is detached all the same.
  const detached = outcome.status === 'Detached' || restart !== undefined;
  const entry: InstanceResult = {
    InstanceId: instanceId,
    Status: outcome.status,
    Success: outcome.status !== 'Failed',
    Code: outcome.code,
    Message: outcome.message,
    Retryable: outcome.status === 'Failed' && outcome.retryable,
    // Online detaches only once the guest no longer holds the key.
    RestartRequired: detached && request.Mode !== 'Online' && restart !== 'Restarted',
  };
  if (detached) {
    const passwordLogin: PasswordLogin = restart === 'Restarted' ? 'Now' : 'AfterNextRestart';
    entry.PasswordLogin = passwordLogin;
  }
  const guest = findings.guests.get(instanceId);
  if (guest) {
    entry.KeyRemoved = guest.keyRemoved;
    entry.RemovedFrom = guest.removedFrom;
    if (guest.invokeId !== undefined) entry.InvokeId = guest.invokeId;
    if (guest.exitCode !== undefined) entry.ExitCode = guest.exitCode;
  }
  if (restart !== undefined) entry.Restart = restart;
  const wave = findings.waves.get(instanceId);
  if (wave !== undefined) entry.RestartWave = wave;
  return entry;
}

export function buildResult(
  requestId: string,
  request: DetachRequest,
  outcomes: ReadonlyMap<string, InstanceOutcome>,
  ecsRequestIds: readonly string[],
  findings: JobFindings = NO_FINDINGS,
): DetachResult {
  const results = request.InstanceIds.map((instanceId) =>
    entryFor(instanceId, outcomes.get(instanceId) ?? NOT_PROCESSED, request, findings),
  );
  const count = (status: InstanceStatus) =>
    results.filter((result) => result.Status === status).length;
  return {
    RequestId: requestId,
    RegionId: request.RegionId,
    KeyPairName: request.KeyPairName,
    Mode: request.Mode,
    DryRun: request.DryRun,
    TotalCount: results.length,
    DetachedCount: count('Detached'),
    RevokedCount: count('Revoked'),
    WouldDetachCount: count('WouldDetach'),
    WouldRevokeCount: count('WouldRevoke'),
    SkippedCount: count('Skipped'),
    FailCount: count('Failed'),
    DeadlineExceeded: results.some((result) => result.Code === 'DeadlineExceeded'),
    Results: results,
    EcsRequestIds: [...ecsRequestIds],
  };
}
