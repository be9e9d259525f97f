/** DetachKeyPair: unbinds the key pair from each instance in the batch that holds it. */
import {
  batchResources,
  batchResponse,
  notFoundOutcome,
  parseKeyPairBatch,
  resolveBatch,
  succeeded,
  unactionable,
} from './key-pair-batch';
import type { Action } from './types';

export const detachKeyPair: Action = (params, context) => {
  const batch = parseKeyPairBatch(params, context);
  return {
    resources: batchResources(batch, context.accountId),
    run() {
      const instances = resolveBatch(batch, context);
      const outcomes = batch.instanceIds.map((instanceId, i) => {
        const record = instances[i];
        if (!record)
          return unactionable(context.behaviour.unknownInstance, notFoundOutcome(instanceId));
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
      return batchResponse(batch, outcomes, context);
    },
  };
};
