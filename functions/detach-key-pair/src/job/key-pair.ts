/**
 * When no instance holds the key, a misspelt name would otherwise pass for "nothing to do": one
 * DescribeKeyPairs call tells the two apart. It costs a call only on this path, and a failed
 * look-up leaves the answer as planned.
 */
import { EcsCallError } from '../errors';
import type { Job } from './context';
import { isCallFailure } from './ledger';

export async function confirmKeyPairExists(job: Job): Promise<void> {
  const { request, port, ledger, calls } = job;
  const { RegionId: regionId, KeyPairName: keyPairName } = request;
  try {
    const lookup = await calls.DescribeKeyPairs((options) =>
      port.findKeyPair({ regionId, keyPairName }, options),
    );
    ledger.noteRequestId(lookup.requestId);
    if (!lookup.exists) {
      ledger.stopCause = new EcsCallError(
        'DescribeKeyPairs',
        'keyPairNotFound',
        'InvalidKeyPairName.NotFound',
        `The key pair ${keyPairName} does not exist in ${regionId}.`,
        { requestId: lookup.requestId },
      );
    }
  } catch (error) {
    if (!isCallFailure(error)) throw error;
  }
}
