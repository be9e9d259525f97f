/** AttachKeyPair: binds the key pair to each instance, replacing any other (one per instance). */
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

export const attachKeyPair: Action = (params, context) => {
  const batch = parseKeyPairBatch(params, context);
  return {
    resources: batchResources(batch, context.accountId),
    run() {
      const instances = resolveBatch(batch, context);
      const outcomes = batch.instanceIds.map((instanceId, i) => {
        const record = instances[i];
        if (!record)
          return unactionable(context.behaviour.unknownInstance, notFoundOutcome(instanceId));
        context.state.setKeyPair(record, batch.keyPairName);
        return succeeded(instanceId);
      });
      return batchResponse(batch, outcomes, context);
    },
  };
};
