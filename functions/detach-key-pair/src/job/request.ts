/**
 * A request over its regions. Without a Target: the given ids, in RegionId. With one: first find
 * the regions ("*": DescribeRegions, then DescribeKeyPairs in each), select in each region, check
 * the whole selection against MAX_INSTANCES and ExpectedCount before anything changes, then run
 * the job in every region at once, each with its own port, pacing and ledger, and last delete the
 * key pair where asked and safe.
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
import { openJob, type Job, type JobDependencies } from './context';
import { runJob, runRegion, type RegionOutcome } from './run';
import { selectInstances, type Selection } from './select';

export interface RequestDependencies extends Omit<JobDependencies, 'port'> {
  portFor(regionId: string): Promise<EcsPort>;
  /** MAX_INSTANCES: the most instances a selection may hold. */
  maxInstances: number;
  /** ALLOWED_REGIONS: where `"*"` may look; empty means every region ECS lists. */
  allowedRegions: readonly string[];
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
