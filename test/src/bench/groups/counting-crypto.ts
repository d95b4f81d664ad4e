import { createHash } from 'node:crypto';
import type { ConsensusCrypto } from '@suyuan/cloud/consensus/types';
import { domainHash } from '@suyuan/shared';

/** Crypto operations one node performed, counted by the stub (or by the wrapper around real crypto). */
export interface CryptoCounts {
  signs: number;
  verifies: number;
  requestVerifies: number;
}

export function zeroCounts(): CryptoCounts {
  return { signs: 0, verifies: 0, requestVerifies: 0 };
}

/**
 * A "signature" is a cheap tag (SHA-256 of signer and message, doubled to 64 bytes so it passes the
 * codec's and the core's size checks). It is unforgeable only among honest stubs, which is all a
 * fault-free counting run needs; real Ed25519 at N = 196 flat would take hours. Every call is counted
 * into `counts()` — the node currently being driven — so the cost model can price it later.
 */
export function countingCrypto(id: number, counts: () => CryptoCounts): ConsensusCrypto {
  const tag = (signer: number, message: Uint8Array): Uint8Array => {
    const h = createHash('sha256').update(`stub-signer-${signer}:`).update(message).digest();
    const out = new Uint8Array(64);
    out.set(h, 0);
    out.set(h, 32);
    return out;
  };
  return {
    sign: (message) => {
      counts().signs++;
      return tag(id, message);
    },
    verifyReplica: (signer, message, signature) => {
      counts().verifies++;
      const expected = tag(signer, message);
      return signature.length === 64 && expected.every((b, i) => b === signature[i]);
    },
    verifyRequest: () => {
      counts().requestVerifies++;
      return true;
    },
    digest: (bytes) => domainHash('consensusBatch', bytes),
  };
}

/** Wraps real crypto so its calls are counted too (the calibration run prices them). */
export function countedCrypto(real: ConsensusCrypto, counts: () => CryptoCounts): ConsensusCrypto {
  return {
    sign: (message) => {
      counts().signs++;
      return real.sign(message);
    },
    verifyReplica: (signer, message, signature) => {
      counts().verifies++;
      return real.verifyReplica(signer, message, signature);
    },
    verifyRequest: (request) => {
      counts().requestVerifies++;
      return real.verifyRequest(request);
    },
    digest: real.digest,
  };
}
