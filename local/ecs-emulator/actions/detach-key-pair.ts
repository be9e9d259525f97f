/** DetachKeyPair: unbinds the key pair from each instance in the batch that holds it. */
import { keyPairBatchAction, succeeded, unactionable } from './key-pair-batch';

export const detachKeyPair = keyPairBatchAction((record, instanceId, batch, context) => {
  if (record.keyPairName !== batch.keyPairName) {
    return unactionable(context.behaviour.keyPairNotBound, {
      instanceId,
      success: false,
      code: 400,
      message: 'The specified instance is not bound to the specified key pair.',
    });
  }
  context.state.setKeyPair(record, undefined);
  return succeeded(instanceId);
});
