/**
 * The plan stage: DescribeInstances, 100 ids a call, and each instance classified as soon as its
 * chunk returns. Instances that need nothing get their final outcome here; holders of the key go
 * on to the next stage chunk by chunk, so detaching starts while later chunks are described.
 */
import { DESCRIBE_INSTANCES_MAX_IDS } from '../ecs/port';
import { chunked } from '../values';
import { classifyInstance } from './classify';
import type { Job } from './context';
import { describeIds } from './describe';

/** Where the plan hands on the holders of one chunk. */
export type HolderSink = (instanceIds: string[]) => void;

export interface PlanSummary {
  holderCount: number;
  /** Unexpected errors (bugs), kept until every started call has finished. */
  errors: unknown[];
}

async function planChunk(job: Job, instanceIds: string[], onHolders: HolderSink) {
  const { ledger, lookahead, request } = job;
  await lookahead.reserve(instanceIds.length);
  if (ledger.stopCause) {
    lookahead.release(instanceIds.length);
    ledger.fail(instanceIds, ledger.stopCause);
    return 0;
  }
  const found = await describeIds(job, instanceIds);
  lookahead.release(instanceIds.length);
  if (!(found instanceof Map)) {
    ledger.fail(instanceIds, found);
    return 0;
  }
  const holders: string[] = [];
  for (const instanceId of instanceIds) {
    const classified = classifyInstance(request.KeyPairName, found.get(instanceId));
    if (classified.action === 'final') ledger.record(instanceId, classified.outcome);
    else holders.push(instanceId);
  }
  onHolders(holders);
  return holders.length;
}

export async function planInstances(job: Job, onHolders: HolderSink): Promise<PlanSummary> {
  const planned = await Promise.allSettled(
    chunked(job.request.InstanceIds, DESCRIBE_INSTANCES_MAX_IDS).map((chunk) =>
      planChunk(job, chunk, onHolders),
    ),
  );
  const summary: PlanSummary = { holderCount: 0, errors: [] };
  for (const chunk of planned) {
    if (chunk.status === 'fulfilled') summary.holderCount += chunk.value;
    else summary.errors.push(chunk.reason);
  }
  return summary;
}

/** A dry run's holders: the plan is the answer. */
export function recordWouldDetach(job: Job, instanceIds: string[]): void {
  for (const instanceId of instanceIds) {
    job.ledger.record(instanceId, {
      status: 'WouldDetach',
      code: 'DryRunOperation',
      message: `The instance holds key pair ${job.request.KeyPairName}; it would be detached.`,
      retryable: false,
    });
  }
}
