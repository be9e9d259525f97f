/**
 * The job, stage by stage, per mode. Detach: plan (DescribeInstances), detach (DetachKeyPair),
 * confirm (reported failures against the instances' state), then the key pair's existence when
 * nothing held it. Online: the key's public half first, then plan, revoke (Cloud Assistant) and
 * detach only what the guest no longer holds. Reboot: as Detach, then restart in waves.
 * Stages overlap: each planned chunk goes on to the next stage as soon as it is classified.
 *
 * A request with a Target first finds its regions ("*": DescribeRegions, then DescribeKeyPairs in
 * each), selects in each region, checks the whole selection against MAX_INSTANCES and
 * ExpectedCount before anything changes, then runs the stages in every region at once, each with
 * its own port, pacing and ledger, and last deletes the key pair where asked and safe.
 */
import type { EcsPort } from '../ecs/port';
import { normalizeRegionIds } from '../ecs/normalize';
import {
  KeyPairNowhereError,
  PolicyDeniedError,
  SelectionMismatchError,
  type RegionSelection,
} from '../errors';
import { ALL_REGIONS, type DetachRequest } from '../request';
import type { InstanceOutcome, KeyPairDeletion } from '../result';
import { confirmFailures } from './confirm';
import { openJob, type Job, type JobDependencies } from './context';
import { deleteKeyPairIfFree } from './delete-key-pair';
import { startDetaching } from './detach';
import { confirmKeyPairExists } from './key-pair';
import { isCallFailure, type CallFailure, type Ledger } from './ledger';
import { planInstances, recordDryRun, type PlannedChunk, type PlanSummary } from './plan';
import { selectInstances, type Selection } from './select';

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

export interface RequestDependencies extends Omit<JobDependencies, 'port'> {
  portFor(regionId: string): Promise<EcsPort>;
  /** MAX_INSTANCES: the most instances a selection may hold. */
  maxInstances: number;
  /** ALLOWED_REGIONS: where `"*"` may look; empty means every region ECS lists. */
  allowedRegions: readonly string[];
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

export interface RequestOutcome {
  regions: RegionOutcome[];
  /** ECS request ids of the calls that found the regions of a `"*"` request. */
  scopeRequestIds: string[];
}

/** Where DescribeRegions is asked when the deployer allows every region. */
const DISCOVERY_REGION = 'cn-hangzhou';
/** Ids a refusal quotes per region: enough to recognise the selection, few enough to read. */
const SAMPLE_IDS = 5;

function openRegionJob(
  request: DetachRequest,
  regionId: string,
  deps: RequestDependencies,
): Promise<Job> {
  return deps
    .portFor(regionId)
    .then((port) =>
      openJob({ ...request, RegionId: regionId, Regions: [regionId] }, { ...deps, port }),
    );
}

/** `"*"`: the regions ECS lists (within ALLOWED_REGIONS) in which the key pair exists. */
async function regionsHoldingKey(
  request: DetachRequest,
  deps: RequestDependencies,
): Promise<{ jobs: Job[]; scopeRequestIds: string[] }> {
  const discovery = await openRegionJob(request, deps.allowedRegions[0] ?? DISCOVERY_REGION, deps);
  const listed = await discovery.calls.DescribeRegions((options) =>
    discovery.port.describeRegions(options),
  );
  discovery.ledger.noteRequestId(listed.requestId);
  const regionIds = normalizeRegionIds(listed).filter(
    (regionId) => deps.allowedRegions.length === 0 || deps.allowedRegions.includes(regionId),
  );
  const candidates = await Promise.all(
    regionIds.map((regionId) => openRegionJob(request, regionId, deps)),
  );
  const holding = await Promise.all(
    candidates.map(async ({ request: { RegionId: regionId }, port, calls, ledger }) => {
      const lookup = await calls.DescribeKeyPairs((options) =>
        port.findKeyPair({ regionId, keyPairName: request.KeyPairName }, options),
      );
      ledger.noteRequestId(lookup.requestId);
      return lookup.exists;
    }),
  );
  const jobs = candidates.filter((_, index) => holding[index]);
  if (jobs.length === 0) throw new KeyPairNowhereError(request.KeyPairName, regionIds.length);
  const searchedOnly = [discovery, ...candidates.filter((_, index) => !holding[index])];
  return {
    jobs,
    scopeRequestIds: searchedOnly.flatMap(({ ledger }) => [...ledger.requestIds]),
  };
}

/** Refuses a selection past MAX_INSTANCES, or other than ExpectedCount; nothing changed yet. */
function checkSelection(request: DetachRequest, selections: Selection[], maxInstances: number) {
  const total = selections.reduce((sum, { instanceIds }) => sum + instanceIds.length, 0);
  const byRegion: RegionSelection[] = selections.map(({ regionId, instanceIds }) => ({
    regionId,
    count: instanceIds.length,
    sampleIds: instanceIds.slice(0, SAMPLE_IDS),
  }));
  if (total > maxInstances || selections.some(({ overLimit }) => overLimit)) {
    const where = byRegion.map(({ regionId, count }) => `${regionId}: ${count}`).join(', ');
    throw new PolicyDeniedError([
      {
        pointer: '/Target',
        detail: `Target ${request.Target} selects more than ${maxInstances} instances (${where}, counting stopped past the limit); at most ${maxInstances} are allowed (MAX_INSTANCES). Narrow it with Tags or RegionId, or ask the deployer to raise MAX_INSTANCES.`,
      },
    ]);
  }
  if (request.ExpectedCount !== undefined && request.ExpectedCount !== total) {
    throw new SelectionMismatchError(request.ExpectedCount, total, byRegion);
  }
}

/**
 * One region's stages over its selection, then DeleteKeyPair. With several regions, a failure
 * that answers for the whole request (conclude) answers for this region only.
 */
async function runRegion(job: Job, several: boolean): Promise<RegionOutcome> {
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

/** The request, in each of its regions: the given ids, or a Target's selection. */
export async function runRequest(
  request: DetachRequest,
  deps: RequestDependencies,
): Promise<RequestOutcome> {
  if (!request.Target) {
    const port = await deps.portFor(request.RegionId);
    const outcome = await runJob(request, { ...deps, port });
    return { regions: [{ request, outcome }], scopeRequestIds: [] };
  }
  const { jobs, scopeRequestIds } =
    request.Regions === ALL_REGIONS
      ? await regionsHoldingKey(request, deps)
      : {
          jobs: await Promise.all(
            (request.Regions ?? [request.RegionId]).map((regionId) =>
              openRegionJob(request, regionId, deps),
            ),
          ),
          scopeRequestIds: [],
        };
  const selections = await Promise.all(jobs.map((job) => selectInstances(job, deps.maxInstances)));
  checkSelection(request, selections, deps.maxInstances);
  const regions = await Promise.all(
    jobs.map((job, index) =>
      runRegion(
        {
          ...job,
          request: { ...job.request, InstanceIds: selections[index].instanceIds },
          described: selections[index].described,
        },
        jobs.length > 1,
      ),
    ),
  );
  return { regions, scopeRequestIds };
}
