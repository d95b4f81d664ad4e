import { createPrivateKey, type KeyObject } from 'node:crypto';
import { concatBytes, fromHex, keyPairFromPrivate, sha256, utf8, verify } from '@suyuan/shared';
import { createConsensusCrypto } from '../consensus/crypto.ts';
import type { ClientRequest, ConsensusCrypto } from '../consensus/types.ts';

/**
 * Deterministic replica keys for the simulator (derived from the replica index, so every run and
 * every rerun of a seed signs identical bytes), real Ed25519 so certificates truly verify.
 */
export interface SimKeys {
  privateKeys: KeyObject[];
  publicKeys: Uint8Array[];
}

const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420');
const keySets = new Map<number, SimKeys>();

export function simKeys(n: number): SimKeys {
  const cached = keySets.get(n);
  if (cached !== undefined) return cached;
  const privateKeys: KeyObject[] = [];
  const publicKeys: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const seed = sha256(utf8(`suyuan-sim-replica-${i}`));
    const privateKey = createPrivateKey({
      key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, seed)),
      format: 'der',
      type: 'pkcs8',
    });
    privateKeys.push(privateKey);
    publicKeys.push(keyPairFromPrivate(privateKey).publicKey);
  }
  const keys = { privateKeys, publicKeys };
  keySets.set(n, keys);
  return keys;
}

/** Client "signature": a keyed hash over the request, good enough to model authenticated clients. */
export function clientTag(submitter: string, seq: number, payload: Uint8Array): Uint8Array {
  return sha256(utf8(`sim-client-key:${submitter}:${seq}:`), payload).slice(0, 16);
}

export function makeRequest(submitter: string, seq: number, payloadText: string): ClientRequest {
  const payload = utf8(payloadText);
  return { submitter, seq, body: concatBytes(clientTag(submitter, seq, payload), payload) };
}

export function simVerifyRequest(request: ClientRequest): boolean {
  if (request.body.length < 16) return false;
  const tag = request.body.subarray(0, 16);
  const expected = clientTag(request.submitter, request.seq, request.body.subarray(16));
  return expected.every((b, i) => b === tag[i]);
}

/**
 * Every simulated replica verifies the same signatures; one process-wide memo of real Ed25519
 * results (keyed by signer, message and signature) makes each distinct signature cost one verify.
 */
const verifyMemo = new Map<string, boolean>();
const verifyMemoMax = 200_000;

export function memoVerify(
  publicKey: Uint8Array,
  signer: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = `${signer}:${Buffer.from(message).toString('base64')}:${Buffer.from(signature).toString('base64')}:${publicKey[0]}`;
  const cached = verifyMemo.get(key);
  if (cached !== undefined) return cached;
  const result = verify(publicKey, message, signature);
  if (verifyMemo.size >= verifyMemoMax) verifyMemo.clear();
  verifyMemo.set(key, result);
  return result;
}

export function simCrypto(keys: SimKeys, id: number): ConsensusCrypto {
  const real = createConsensusCrypto({
    privateKey: keys.privateKeys[id]!,
    replicaPublicKeys: keys.publicKeys,
    verifyRequest: simVerifyRequest,
  });
  return {
    ...real,
    verifyReplica: (signer, message, signature) => {
      const key = Number.isInteger(signer) ? keys.publicKeys[signer] : undefined;
      return key !== undefined && memoVerify(key, signer, message, signature);
    },
  };
}
