/** AttachKeyPair: binds the key pair to each instance, replacing any other (one per instance). */
import { keyPairBatchAction, succeeded } from './key-pair-batch';

export const attachKeyPair = keyPairBatchAction((record, instanceId, batch, context) => {
  context.state.setKeyPair(record, batch.keyPairName);
  return succeeded(instanceId);
});
