/** ImportKeyPair: stores a public key made elsewhere, after checking it is one. */
import { EcsApiError } from '../errors';
import { publicKeyMaterial } from '../key-material';
import { assertRoomFor, IMPORTED_NAME, newKeyPairParams } from './new-key-pair';
import { requiredParam } from './params';
import type { Action } from './types';

export const importKeyPair: Action = (params, context) => {
  const keyPair = newKeyPairParams(params, context, IMPORTED_NAME);
  const material = publicKeyMaterial(requiredParam(params, 'PublicKeyBody'));
  if (!material) {
    throw new EcsApiError(
      400,
      'InvalidPublicKeyBody.Malformed',
      'The PublicKeyBody format is not supported.',
    );
  }
  return {
    resources: keyPair.resources,
    run() {
      assertRoomFor(keyPair, context);
      context.state.importKeyPair(keyPair.regionId, keyPair.keyPairName, material);
      return { KeyPairName: keyPair.keyPairName, KeyPairFingerPrint: material.fingerPrint };
    },
  };
};
