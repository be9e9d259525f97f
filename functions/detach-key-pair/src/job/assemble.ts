/**
 * The result stage: exactly one entry per distinct requested (or, with a Target, selected)
 * instance, and the counts; with a Target, each entry's region and a summary per region.
 */
import type { DetachRequest } from '../request';
import {
  failedBy,
  type DetachResult,
  type InstanceOutcome,
  type InstanceResult,
  type InstanceStatus,
  type PasswordLogin,
  type RegionSummary,
} from '../result';
import type { Ledger } from './ledger';
import type { RequestOutcome } from './request';
import type { RegionOutcome } from './run';

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

function entriesFor(
  request: DetachRequest,
  outcomes: ReadonlyMap<string, InstanceOutcome>,
  findings: JobFindings,
  unanswered: InstanceOutcome,
): InstanceResult[] {
  return request.InstanceIds.map((instanceId) =>
    entryFor(instanceId, outcomes.get(instanceId) ?? unanswered, request, findings),
  );
}

export function buildResult(
  requestId: string,
  request: DetachRequest,
  outcomes: ReadonlyMap<string, InstanceOutcome>,
  ecsRequestIds: readonly string[],
  findings: JobFindings = NO_FINDINGS,
): DetachResult {
  return counted(
    requestId,
    request,
    entriesFor(request, outcomes, findings, NOT_PROCESSED),
    ecsRequestIds,
  );
}

function counted(
  requestId: string,
  request: DetachRequest,
  results: InstanceResult[],
  ecsRequestIds: readonly string[],
): DetachResult {
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

/** One region's entries, each naming the region, and its summary. */
function regionPart({ request, outcome, keyPair, failure }: RegionOutcome) {
  const unanswered = failure ? failedBy(failure) : NOT_PROCESSED;
  const results = entriesFor(request, outcome.outcomes, outcome, unanswered).map(
    ({ InstanceId, ...entry }) => ({ InstanceId, RegionId: request.RegionId, ...entry }),
  );
  const summary: RegionSummary = {
    RegionId: request.RegionId,
    SelectedCount: request.InstanceIds.length,
    FailCount: results.filter((entry) => entry.Status === 'Failed').length,
  };
  if (keyPair) summary.KeyPair = keyPair;
  if (failure) {
    summary.Code = failure.code;
    summary.Message = failure.message;
  }
  return { results, summary };
}

/** The request's result: as buildResult for ids in one region; merged per region for a Target. */
export function buildRequestResult(
  requestId: string,
  request: DetachRequest,
  { regions, scopeRequestIds }: RequestOutcome,
): DetachResult {
  if (!request.Target) {
    const [{ outcome }] = regions;
    return buildResult(requestId, request, outcome.outcomes, outcome.ecsRequestIds, outcome);
  }
  const parts = regions.map(regionPart);
  const ecsRequestIds = [
    ...scopeRequestIds,
    ...regions.flatMap(({ outcome }) => outcome.ecsRequestIds),
  ];
  return {
    ...counted(
      requestId,
      request,
      parts.flatMap(({ results }) => results),
      ecsRequestIds,
    ),
    Target: request.Target,
    Regions: parts.map(({ summary }) => summary),
  };
}
