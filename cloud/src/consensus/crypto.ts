import type { KeyObject } from 'node:crypto';
import { domainHash, sign, verify } from '@suyuan/shared';
import type { ClientRequest, ConsensusCrypto } from './types.ts';

/** Real Ed25519 signing for a replica; verification is the strict shared verifier. */
export function createConsensusCrypto(options: {
  privateKey: KeyObject;
  replicaPublicKeys: readonly Uint8Array[];
  verifyRequest: (r: ClientRequest) => boolean;
}): ConsensusCrypto {
  const { privateKey, replicaPublicKeys, verifyRequest } = options;
  return {
    sign: (message) => sign(privateKey, message),
    verifyReplica: (signer, message, signature) => {
      const key = Number.isInteger(signer) ? replicaPublicKeys[signer] : undefined;
      return key !== undefined && verify(key, message, signature);
    },
    verifyRequest: (request) => {
      try {
        return verifyRequest(request);
      } catch {
        return false;
      }
    },
    digest: (bytes) => domainHash('consensusBatch', bytes),
  };
}
