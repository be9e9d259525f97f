/**
 * The confirm stage. A failure ECS reported for an instance may be the echo of a detach that did
 * happen: when ECS's answer to a call is lost and the call is retried, the retry finds the key
 * already gone. Asking ECS for the instance's state decides it: no longer holding the key is
 * Skipped (the desired state, checked), still holding it keeps ECS's failure. Costs calls only
 * when ECS reported failures.
 */
import { DESCRIBE_INSTANCES_MAX_IDS } from '../ecs/port';
import { chunked } from '../values';
import { classifyInstance } from './classify';
import type { Job } from './context';
import { describeIds } from './describe';

async function confirmChunk(job: Job, instanceIds: string[]): Promise<void> {
  const { ledger, request } = job;
  const found = await describeIds(job, instanceIds);
  if (!(found instanceof Map)) {
    // Unconfirmed, the failure may be stale: sending the request again will check.
    for (const instanceId of instanceIds) {
      ledger.amend(instanceId, (reported) => ({
        ...reported,
        retryable: true,
        message: `${reported.message} (Its state could not be checked: ${found.code}.)`,
      }));
    }
    return;
  }
  for (const instanceId of instanceIds) {
    const classified = classifyInstance(request.KeyPairName, found.get(instanceId));
    const reported = ledger.outcomes.get(instanceId);
    if (classified.action !== 'final' || classified.outcome.status !== 'Skipped' || !reported) {
      continue;
    }
    ledger.record(instanceId, {
      ...classified.outcome,
      message: `${classified.outcome.message} (Checked after DetachKeyPair reported ${reported.code}: ${reported.message})`,
    });
  }
}

export async function confirmFailures(job: Job): Promise<void> {
  await Promise.all(
    chunked(job.ledger.unconfirmed, DESCRIBE_INSTANCES_MAX_IDS).map((ids) =>
      confirmChunk(job, ids),
    ),
  );
}
