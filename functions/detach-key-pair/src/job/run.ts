/**
 * The job in one region, stage by stage, per mode. Detach: plan (DescribeInstances), detach
 * (DetachKeyPair), confirm (reported failures against the instances' state), then the key pair's
 * existence when nothing held it. Online: the key's public half first, then plan, revoke (Cloud
 * Assistant) and detach only what the guest no longer holds. Reboot: as Detach, then restart in
 * waves. Stages overlap: each planned chunk goes on to the next stage as soon as it is classified.
 * A request over its regions is request.ts.
 */
import type { DetachRequest } from '../request';
import type { InstanceOutcome, KeyPairDeletion } from '../result';
import { confirmFailures } from './confirm';
import { openJob, type Job, type JobDependencies } from './context';
import { deleteKeyPairIfFree } from './delete-key-pair';
import { startDetaching } from './detach';
import { confirmKeyPairExists } from './key-pair';
import { isCallFailure, type CallFailure, type Ledger } from './ledger';
import { planInstances, recordDryRun, type PlannedChunk, type PlanSummary } from './plan';

// The Online and Reboot stages load when a request needs them: build.mjs bundles them into a file
// of their own, so a cold start does not compile the guest script, its parsers and the key
// handling (BENCHMARKS.md).
const loadRevoke = () => import('./revoke');
const loadRestart = () => import('./restart');

export type { JobDependencies } from './context';

export interface JobOutcome extends Pick<
  Ledger,
  'guests' | 'restarts' | 'waves' | 'keyFingerprint' | 'instanceRequestIds'
> {
  outcomes: Map<string, InstanceOutcome>;
  ecsRequestIds: string[];
}

/** What the job learnt, as it stands. */
function findings({ ledger }: Job): JobOutcome {
  const { outcomes, guests, restarts, waves, keyFingerprint, instanceRequestIds } = ledger;
  return {
    outcomes,
    guests,
    restarts,
    waves,
    keyFingerprint,
    instanceRequestIds,
    ecsRequestIds: [...ledger.requestIds],
  };
}

/** The job's answer: its outcomes, or the failure that answers for the whole request. */
function conclude(job: Job): JobOutcome {
  const { ledger } = job;
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
  return findings(job);
}

function rethrowBugs(...errors: unknown[][]): void {
  const bugs = errors.flat();
  if (bugs.length > 0) throw bugs[0];
}

/** The plan, each chunk handed to `next`, or in a dry run recorded as what it would get. */
function plan(job: Job, next: (chunk: PlannedChunk) => void): Promise<PlanSummary> {
  return planInstances(job, (chunk) =>
    job.request.DryRun ? recordDryRun(job, chunk) : next(chunk),
  );
}

async function detachMode(job: Job): Promise<void> {
  const detaching = startDetaching(job);
  const planned = await plan(job, (chunk) => detaching.add(chunk.holders));
  rethrowBugs(planned.errors, await detaching.finish());
  await confirmFailures(job);
  if (planned.holderCount === 0 && job.ledger.answeredAny && !job.ledger.stopCause) {
    await confirmKeyPairExists(job);
  }
  if (job.request.Mode !== 'Reboot') return;
  const { planWaves, restartInWaves } = await loadRestart();
  if (job.request.DryRun) planWaves(job);
  else await restartInWaves(job);
}

/** Cleaned guests that ECS held no key pair for: Revoked where lines went, Skipped otherwise. */
function recordCleanedOthers(job: Job, instanceIds: string[]): void {
  for (const instanceId of instanceIds) {
    const lines = job.ledger.guests.get(instanceId)?.removedFrom.length ?? 0;
    job.ledger.record(
      instanceId,
      lines > 0
        ? {
            status: 'Revoked',
            code: 'KeyRemoved',
            message: `The key was removed from ${lines} file(s) of the guest; ECS held no ${job.request.KeyPairName} to detach here.`,
            retryable: false,
          }
        : {
            status: 'Skipped',
            code: 'KeyNotPresent',
            message: `The key is in none of the guest's authorized keys files, and ECS holds no ${job.request.KeyPairName} here: nothing to do.`,
            retryable: false,
          },
    );
  }
}

async function onlineMode(job: Job): Promise<void> {
  const { prepareRevocation, revokeChunk } = await loadRevoke();
  const revocation = await prepareRevocation(job);
  if (revocation === undefined) return;
  const detaching = startDetaching(job);
  const revokes: Promise<void>[] = [];
  const revokeThenDetach = async ({ holders, otherLinux, index }: PlannedChunk) => {
    const cleaned = await revokeChunk(job, revocation, [...holders, ...otherLinux], index);
    const holding = new Set(holders);
    detaching.add(cleaned.filter((id) => holding.has(id)));
    recordCleanedOthers(
      job,
      cleaned.filter((id) => !holding.has(id)),
    );
  };
  const planned = await plan(job, (chunk) => {
    revokes.push(revokeThenDetach(chunk));
  });
  const revoked = await Promise.allSettled(revokes);
  const revokeErrors = revoked.flatMap((run) => (run.status === 'rejected' ? [run.reason] : []));
  rethrowBugs(planned.errors, revokeErrors, await detaching.finish());
  await confirmFailures(job);
}

function runStages(job: Job): Promise<void> {
  return job.request.Mode === 'Online' ? onlineMode(job) : detachMode(job);
}

/** One region's job over the ids the request names. */
export async function runJob(request: DetachRequest, deps: JobDependencies): Promise<JobOutcome> {
  const job = openJob(request, deps);
  await runStages(job);
  return conclude(job);
}

export interface RegionOutcome {
  /** The request as it ran in the region: its RegionId, and with a Target the ids selected. */
  request: DetachRequest;
  outcome: JobOutcome;
  /** DeleteKeyPair's outcome, when asked for. */
  keyPair?: KeyPairDeletion;
  /** The failure that stopped the region, when the request spans several. */
  failure?: CallFailure;
}

/**
 * One region's stages over its selection, then DeleteKeyPair. With several regions, a failure
 * that answers for the whole request (conclude) answers for this region only.
 */
export async function runRegion(job: Job, several: boolean): Promise<RegionOutcome> {
  const { request } = job;
  let keyPair: KeyPairDeletion | undefined;
  try {
    // An empty selection calls nothing more (Online would fetch the key's public half).
    if (request.InstanceIds.length > 0) await runStages(job);
    if (request.DeleteKeyPair) keyPair = await deleteKeyPairIfFree(job);
    return { request, outcome: conclude(job), keyPair };
  } catch (error) {
    if (!several || !isCallFailure(error)) throw error;
    return { request, outcome: findings(job), keyPair, failure: error };
  }
}
