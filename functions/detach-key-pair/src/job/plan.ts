/**
 * The plan stage: DescribeInstances, 100 ids a call (or, after a select stage, what it learnt),
 * and each instance classified as soon as its chunk returns. Instances that need no detach get their outcome here; each chunk's holders (and,
 * for Online, its other Linux instances) go on to the next stage at once, so work on them starts
 * while later chunks are described.
 */
import type { NormalizedInstance } from '../ecs/normalize';
import { DESCRIBE_INSTANCES_MAX_IDS } from '../ecs/port';
import { chunked } from '../values';
import { classifyInstance } from './classify';
import type { Job } from './context';
import { describeIds } from './describe';
import type { CallFailure } from './ledger';

/** One described chunk, as the next stage needs it. */
export interface PlannedChunk {
  /** Instances ECS says hold the request's key pair. */
  holders: string[];
  /** Linux instances holding no key pair or another: their guests may still hold the key. */
  otherLinux: string[];
  /** 0, 1, 2… in the order the chunks were cut from the request. */
  index: number;
}

/** Where the plan hands on each chunk. */
export type PlanSink = (chunk: PlannedChunk) => void;

export interface PlanSummary {
  holderCount: number;
  /** Unexpected errors (bugs), kept until every started call has finished. */
  errors: unknown[];
}

function isDescribed(
  found: ReadonlyMap<string, NormalizedInstance> | CallFailure,
): found is ReadonlyMap<string, NormalizedInstance> {
  return found instanceof Map;
}

async function planChunk(job: Job, instanceIds: string[], index: number, onChunk: PlanSink) {
  const { ledger, lookahead, request } = job;
  await lookahead.reserve(instanceIds.length);
  if (ledger.stopCause) {
    lookahead.release(instanceIds.length);
    ledger.fail(instanceIds, ledger.stopCause);
    return 0;
  }
  const found = job.described ?? (await describeIds(job, instanceIds));
  lookahead.release(instanceIds.length);
  if (!isDescribed(found)) {
    ledger.fail(instanceIds, found);
    return 0;
  }
  const chunk: PlannedChunk = { holders: [], otherLinux: [], index };
  for (const instanceId of instanceIds) {
    const classified = classifyInstance(request.KeyPairName, found.get(instanceId));
    if (classified.action === 'detach') {
      chunk.holders.push(instanceId);
      continue;
    }
    ledger.record(instanceId, classified.outcome);
    if (classified.outcome.status === 'Skipped') chunk.otherLinux.push(instanceId);
  }
  onChunk(chunk);
  return chunk.holders.length;
}

export async function planInstances(job: Job, onChunk: PlanSink): Promise<PlanSummary> {
  const planned = await Promise.allSettled(
    chunked(job.request.InstanceIds, DESCRIBE_INSTANCES_MAX_IDS).map((chunk, index) =>
      planChunk(job, chunk, index, onChunk),
    ),
  );
  const summary: PlanSummary = { holderCount: 0, errors: [] };
  for (const chunk of planned) {
    if (chunk.status === 'fulfilled') summary.holderCount += chunk.value;
    else summary.errors.push(chunk.reason);
  }
  return summary;
}

/** A dry run's plan is the answer: what each instance would get. */
export function recordDryRun(job: Job, { holders, otherLinux }: PlannedChunk): void {
  const { request, ledger } = job;
  const online = request.Mode === 'Online';
  for (const instanceId of holders) {
    ledger.record(instanceId, {
      status: 'WouldDetach',
      code: 'DryRunOperation',
      message: online
        ? `The instance holds key pair ${request.KeyPairName}; the key would be removed from its guest through Cloud Assistant, then detached.`
        : `The instance holds key pair ${request.KeyPairName}; it would be detached.`,
      retryable: false,
    });
  }
  if (!online) return;
  for (const instanceId of otherLinux) {
    ledger.record(instanceId, {
      status: 'WouldRevoke',
      code: 'DryRunOperation',
      message: `ECS holds no ${request.KeyPairName} here, but the guest may still accept the key: it would be removed from the guest through Cloud Assistant where present.`,
      retryable: false,
    });
  }
}
