/**
 * CreateKeyPair: a new RSA key pair. The private key is in this one answer (PKCS#8 PEM) and kept
 * nowhere, as on ECS.
 */
import { assertRoomFor, CREATED_NAME, newKeyPairParams } from './new-key-pair';
import type { Action } from './types';

export const createKeyPair: Action = (params, context) => {
  const keyPair = newKeyPairParams(params, context, CREATED_NAME);
  return {
    resources: keyPair.resources,
    run() {
      assertRoomFor(keyPair, context);
      const created = context.state.generateKeyPair(keyPair.regionId, keyPair.keyPairName);
      return {
        KeyPairName: keyPair.keyPairName,
        KeyPairFingerPrint: created.fingerPrint,
        PrivateKeyBody: created.privateKeyPem,
      };
    },
  };
};
