import type { KeyObject } from 'node:crypto';
import { concatBytes, fromBase64Url, InputError, sign, toBase64Url, utf8, verify } from '@suyuan/shared';
import { z } from 'zod';

/**
 * Mutual authentication of a replica-to-replica TCP connection, three frames:
 *
 *   dialer   → acceptor  hello     {cluster, from: A, to: B, nonce: nA}
 *   acceptor → dialer    challenge {from: B, nonce: nB, proof: sig_B(transcript('accept'))}
 *   dialer   → acceptor  proof     {proof: sig_A(transcript('dial'))}
 *
 * transcript(role) = "SY-HS1\n" ‖ role ‖ cluster ‖ u32 A ‖ u32 B ‖ nA ‖ nB. Each side signs over the
 * other's fresh nonce, so a recorded handshake cannot be replayed; the role byte string keeps one
 * side's signature from being reflected as the other's; the cluster id (hash of the replica key set)
 * keeps two clusters from talking. A peer is known only by the id whose key verified its proof.
 */

export const HANDSHAKE_NONCE_BYTES = 32;
const CONTEXT = utf8('SY-HS1\n');

export interface HandshakeIdentity {
  id: number;
  privateKey: KeyObject;
  cluster: string;
  replicaPublicKeys: readonly Uint8Array[];
}

const b64 = z.string().regex(/^[A-Za-z0-9_-]+$/);
const helloSchema = z.object({
  t: z.literal('hello'),
  cluster: z.string().max(64),
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  nonce: b64,
});
const challengeSchema = z.object({
  t: z.literal('challenge'),
  from: z.number().int(),
  nonce: b64,
  proof: b64,
});
const proofSchema = z.object({ t: z.literal('proof'), proof: b64 });

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function transcript(
  role: 'accept' | 'dial',
  cluster: string,
  dialer: number,
  acceptor: number,
  dialerNonce: Uint8Array,
  acceptorNonce: Uint8Array,
): Uint8Array {
  return concatBytes(
    CONTEXT,
    utf8(`${role}\n${cluster}\n`),
    u32(dialer),
    u32(acceptor),
    dialerNonce,
    acceptorNonce,
  );
}

function parseFrame<T>(schema: z.ZodType<T>, frame: Uint8Array, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(frame).toString('utf8'));
  } catch {
    throw new InputError('handshake.invalid', `${what}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new InputError('handshake.invalid', `${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function nonceOf(text: string): Uint8Array {
  const nonce = fromBase64Url(text, 'nonce');
  if (nonce.length !== HANDSHAKE_NONCE_BYTES) throw new InputError('handshake.invalid', 'bad nonce length');
  return nonce;
}

function encode(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

/** Dialer side. */
export function startDial(self: HandshakeIdentity, to: number, nonce: Uint8Array) {
  const hello = encode({ t: 'hello', cluster: self.cluster, from: self.id, to, nonce: toBase64Url(nonce) });
  /** Checks the acceptor's challenge; returns the proof frame to send. Throws InputError if forged. */
  function answer(challengeFrame: Uint8Array): Uint8Array {
    const challenge = parseFrame(challengeSchema, challengeFrame, 'handshake challenge');
    if (challenge.from !== to) throw new InputError('handshake.wrongPeer', `expected replica ${to}`);
    const acceptorNonce = nonceOf(challenge.nonce);
    const key = self.replicaPublicKeys[to];
    const expected = transcript('accept', self.cluster, self.id, to, nonce, acceptorNonce);
    if (key === undefined || !verify(key, expected, fromBase64Url(challenge.proof, 'proof'))) {
      throw new InputError('handshake.badProof', `replica ${to} failed to prove its identity`);
    }
    const mine = sign(self.privateKey, transcript('dial', self.cluster, self.id, to, nonce, acceptorNonce));
    return encode({ t: 'proof', proof: toBase64Url(mine) });
  }
  return { hello, answer };
}

/** Acceptor side: `challenge` answers a hello, `check` verifies the dialer's proof and names it. */
export function startAccept(self: HandshakeIdentity, nonce: Uint8Array) {
  let dialer = -1;
  let dialerNonce: Uint8Array = new Uint8Array(0);
  function challenge(helloFrame: Uint8Array): Uint8Array {
    const hello = parseFrame(helloSchema, helloFrame, 'handshake hello');
    if (hello.cluster !== self.cluster) throw new InputError('handshake.wrongCluster', 'different cluster');
    if (hello.to !== self.id) throw new InputError('handshake.wrongPeer', `hello for replica ${hello.to}`);
    if (hello.from === self.id || self.replicaPublicKeys[hello.from] === undefined) {
      throw new InputError('handshake.unknownPeer', `unknown replica ${hello.from}`);
    }
    dialer = hello.from;
    dialerNonce = nonceOf(hello.nonce);
    const proof = sign(
      self.privateKey,
      transcript('accept', self.cluster, dialer, self.id, dialerNonce, nonce),
    );
    return encode({ t: 'challenge', from: self.id, nonce: toBase64Url(nonce), proof: toBase64Url(proof) });
  }
  function check(proofFrame: Uint8Array): number {
    const { proof } = parseFrame(proofSchema, proofFrame, 'handshake proof');
    const key = self.replicaPublicKeys[dialer];
    const expected = transcript('dial', self.cluster, dialer, self.id, dialerNonce, nonce);
    if (key === undefined || !verify(key, expected, fromBase64Url(proof, 'proof'))) {
      throw new InputError('handshake.badProof', `peer failed to prove it is replica ${dialer}`);
    }
    return dialer;
  }
  return { challenge, check };
}
