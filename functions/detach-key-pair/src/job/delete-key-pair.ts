/**
 * DeleteKeyPair, once a region's stages are done: DeleteKeyPairs for the request's key pair, but
 * only when every selected instance there came out well. An instance that failed keeps the key
 * attached (so it stays findable and the request can be sent again), and ECS itself refuses
 * while any instance holds the key (InvalidParameter.KeypairAlreadyAttachedInstance): that is
 * reported as why the key pair was kept, not retried (docs/ecs-facts.md).
 */
import type { KeyPairDeletion } from '../result';
import type { Job } from './context';
import { isCallFailure } from './ledger';

const STILL_ATTACHED = 'InvalidParameter.KeypairAlreadyAttachedInstance';

/** Why the key pair must stay, or undefined when nothing here stands in the way. */
function reasonToKeep(job: Job): KeyPairDeletion | undefined {
  const { request, ledger } = job;
  if (ledger.stopCause) {
    return { Status: 'Kept', Code: ledger.stopCause.code, Message: ledger.stopCause.message };
  }
  const failed = request.InstanceIds.filter(
    (id) => (ledger.outcomes.get(id)?.status ?? 'Failed') === 'Failed',
  ).length;
  if (failed === 0) return undefined;
  return {
    Status: 'Kept',
    Code: 'InstancesFailed',
    Message: `${failed} instance(s) here failed and may still hold the key; it is kept so they stay findable. Send the request again.`,
  };
}

export async function deleteKeyPairIfFree(job: Job): Promise<KeyPairDeletion> {
  const keep = reasonToKeep(job);
  if (keep) return keep;
  const { request, port, ledger, calls } = job;
  if (request.DryRun) {
    return {
      Status: 'WouldDelete',
      Code: 'DryRunOperation',
      Message: `Once its holders here are done, key pair ${request.KeyPairName} would be deleted.`,
    };
  }
  try {
    const reply = await calls.DeleteKeyPairs((options) =>
      port.deleteKeyPairs(
        { regionId: request.RegionId, keyPairNames: [request.KeyPairName] },
        options,
      ),
    );
    ledger.noteRequestId(reply.requestId);
    return {
      Status: 'Deleted',
      Code: 'Deleted',
      Message: `Key pair ${request.KeyPairName} was deleted.`,
    };
  } catch (error) {
    if (!isCallFailure(error)) throw error;
    return {
      Status: error.code === STILL_ATTACHED ? 'Kept' : 'Failed',
      Code: error.code,
      Message:
        error.code === STILL_ATTACHED
          ? `ECS still records an instance here holding key pair ${request.KeyPairName} (one not selected, or a detach not yet visible); it was kept.`
          : error.message,
    };
  }
}
