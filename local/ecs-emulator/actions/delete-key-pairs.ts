/**
 * DeleteKeyPairs: removes the named key pairs of a region (KeyPairNames, a JSON array of at most
 * 100). While any instance holds one of them, the whole call is refused and nothing is deleted.
 * Names of no key pair are passed over.
 */
import { EcsApiError } from '../errors';
import { keyPairArn } from '../ram';
import { idListParam, regionParam, requiredParam } from './params';
import type { Action } from './types';

const MAX_NAMES = 100;

const invalidNames = (): EcsApiError =>
  new EcsApiError(
    400,
    'InvalidKeyPairNames.ValueNotSupported',
    'The specified parameter KeyPairNames is not valid.',
  );

export const deleteKeyPairs: Action = (params, context) => {
  const regionId = regionParam(params, context);
  requiredParam(params, 'KeyPairNames');
  const names = idListParam(params, 'KeyPairNames', MAX_NAMES, invalidNames) ?? [];
  if (names.length === 0) throw invalidNames();
  return {
    resources: names.map((name) => keyPairArn(regionId, context.accountId, name)),
    run() {
      if (names.some((name) => context.state.instancesWithKeyPair(regionId, name).length > 0)) {
        throw new EcsApiError(
          400,
          'InvalidParameter.KeypairAlreadyAttachedInstance',
          'The specified key pair has already been attached to an instance.',
        );
      }
      for (const name of names) context.state.deleteKeyPair(regionId, name);
      return {};
    },
  };
};
