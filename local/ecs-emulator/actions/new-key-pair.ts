/**
 * What CreateKeyPair and ImportKeyPair share: the name rules (each action's own), a name already
 * taken, and the quota of 500 key pairs a region.
 */
import { EcsApiError } from '../errors';
import { keyPairArn } from '../ram';
import { regionParam, requiredParam } from './params';
import type { ActionContext, Params } from './types';

const MAX_KEY_PAIRS_PER_REGION = 500;

/** CreateKeyPair: 2–128 ASCII letters, digits, `:` `_` `-`, starting with a letter. */
export const CREATED_NAME = /^[A-Za-z][A-Za-z0-9:_-]{1,127}$/;
/** ImportKeyPair: also Unicode letters (Chinese characters among them) and `.`. */
export const IMPORTED_NAME = /^\p{L}[\p{L}\p{N}:_.-]{1,127}$/u;

export interface NewKeyPair {
  regionId: string;
  keyPairName: string;
  resources: string[];
}

/** The region and a well-formed name, or the error ECS gives for them. */
export function newKeyPairParams(
  params: Params,
  context: ActionContext,
  namePattern: RegExp,
): NewKeyPair {
  const regionId = regionParam(params, context);
  const keyPairName = requiredParam(params, 'KeyPairName');
  if (!namePattern.test(keyPairName) || /^https?:\/\//.test(keyPairName)) {
    throw new EcsApiError(
      400,
      'InvalidKeyPairName.Malformed',
      'Specified Key Pair name is not valid.',
    );
  }
  return {
    regionId,
    keyPairName,
    resources: [keyPairArn(regionId, context.accountId, keyPairName)],
  };
}

/** Refuses a name already taken in the region, or a region at its quota. */
export function assertRoomFor({ regionId, keyPairName }: NewKeyPair, context: ActionContext): void {
  if (context.state.keyPair(regionId, keyPairName)) {
    throw new EcsApiError(400, 'KeyPair.AlreadyExist', 'The key pair already exist.');
  }
  if (context.state.keyPairs(regionId).length >= MAX_KEY_PAIRS_PER_REGION) {
    throw new EcsApiError(403, 'QuotaExceed.KeyPair', 'The key pair quota exceeds.');
  }
}
