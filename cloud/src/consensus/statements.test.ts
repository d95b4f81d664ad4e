import { domainHash, SeededRng, toHex } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.ts';
import {
  batchDigestOf,
  encodeRequests,
  encodesExactly,
  scratchBytesMax,
  withRequestsEncoding,
} from './statements.ts';
import type { ClientRequest, ConsensusCrypto, ConsensusMessage } from './types.ts';

const crypto: ConsensusCrypto = {
  sign: () => new Uint8Array(64),
  verifyReplica: () => true,
  verifyRequest: () => true,
  digest: (bytes) => domainHash('consensusBatch', bytes), // as createConsensusCrypto's
};

function batch(rng: SeededRng, count: number, bodyBytesMax: number): ClientRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    submitter: i % 3 === 0 ? `sübmitter-${rng.int(1000)}-✓` : `gw-${rng.int(1000)}`,
    seq: rng.int(1_000_000) * 1000 + i,
    body: Uint8Array.from({ length: rng.int(bodyBytesMax) }, () => rng.int(256)),
  }));
}

/** The digest as it was computed before the scratch: a fresh encoding, hashed whole. */
const oldDigest = (requests: readonly ClientRequest[]) =>
  toHex(domainHash('consensusBatch', encodeRequests(requests)));

describe('batch digest without a fresh encoding', () => {
  it('equals the hash of encodeRequests, batch after batch through one reused scratch', () => {
    const rng = new SeededRng(11);
    const sizes = [0, 1, 5, 120, 3, 40, 0, 7];
    for (const [i, count] of sizes.entries()) {
      const requests = batch(rng, count, i % 2 === 0 ? 3000 : 40_000);
      expect(toHex(batchDigestOf(crypto, requests))).toBe(oldDigest(requests));
    }
  });

  it('hands a nested call its own writer, and drops a scratch above scratchBytesMax', () => {
    const rng = new SeededRng(12);
    const outer = batch(rng, 4, 2000);
    const inner = batch(rng, 6, 2000);
    const seen = withRequestsEncoding(outer, (bytes) => {
      const copy = Uint8Array.from(bytes);
      expect(toHex(withRequestsEncoding(inner, (b) => Uint8Array.from(b)))).toBe(
        toHex(encodeRequests(inner)),
      );
      expect(toHex(bytes)).toBe(toHex(copy)); // the inner call did not write into the outer's bytes
      return copy;
    });
    expect(toHex(seen)).toBe(toHex(encodeRequests(outer)));
    const huge = [{ submitter: 'big', seq: 1, body: new Uint8Array(scratchBytesMax + 1).fill(9) }];
    expect(toHex(batchDigestOf(crypto, huge))).toBe(oldDigest(huge));
    const after = batch(rng, 3, 100);
    expect(toHex(batchDigestOf(crypto, after))).toBe(oldDigest(after));
  });
});

describe('a batch decoded from a frame', () => {
  const prePrepare = (requests: ClientRequest[]): ConsensusMessage => ({
    type: 'prePrepare',
    view: 2,
    seq: 9,
    batchDigest: new Uint8Array(32).fill(1),
    requests,
    signature: new Uint8Array(64).fill(2),
  });
  const decodedRequests = (bytes: Uint8Array): ClientRequest[] => {
    const m = decodeMessage(bytes);
    if (m.type !== 'prePrepare') throw new Error('not a pre-prepare');
    return m.requests;
  };

  it('is hashed and stored from the frame’s own bytes, no copy', () => {
    const requests = batch(new SeededRng(13), 5, 20_000);
    const frame = Buffer.from(encodeMessage(prePrepare(requests)));
    const decoded = decodedRequests(frame);
    expect(decoded[0]?.body.buffer).toBe(frame.buffer); // the bodies are views of the frame
    const handed = withRequestsEncoding(decoded, (bytes) => bytes);
    expect(handed.buffer).toBe(frame.buffer);
    expect(toHex(handed)).toBe(toHex(encodeRequests(requests)));
    expect(toHex(batchDigestOf(crypto, decoded))).toBe(oldDigest(requests));
  });

  it('falls back to encoding when the array or a request no longer matches its bytes', () => {
    const rng = new SeededRng(14);
    const requests = batch(rng, 4, 5000);
    const frame = Buffer.from(encodeMessage(prePrepare(requests)));
    const mutations: ((r: ClientRequest[]) => void)[] = [
      (r) => r.pop(),
      (r) => r.push(batch(rng, 1, 10)[0]!),
      (r) => r.reverse(),
      (r) => {
        r[1]!.seq += 1;
      },
      (r) => {
        r[2]!.submitter = `${r[2]!.submitter}x`;
      },
      (r) => {
        r[0]!.body = Uint8Array.from(r[0]!.body); // equal bytes, but no longer the frame's
      },
      (r) => {
        r[3]!.body = r[3]!.body.subarray(1);
      },
    ];
    for (const mutate of mutations) {
      const decoded = decodedRequests(Buffer.from(frame));
      mutate(decoded);
      const handed = withRequestsEncoding(decoded, (bytes) => Uint8Array.from(bytes));
      expect(toHex(handed)).toBe(toHex(encodeRequests(decoded)));
      expect(toHex(batchDigestOf(crypto, decoded))).toBe(oldDigest(decoded));
    }
  });

  it('decoded from a plain Uint8Array (copied bodies) is encoded afresh, same bytes', () => {
    const requests = batch(new SeededRng(15), 3, 5000);
    const bytes = encodeMessage(prePrepare(requests));
    const decoded = decodedRequests(Uint8Array.from(bytes));
    expect(Buffer.isBuffer(decoded[0]?.body)).toBe(false);
    expect(toHex(batchDigestOf(crypto, decoded))).toBe(oldDigest(requests));
  });

  it('encodesExactly refuses bytes that are not exactly the encoding', () => {
    const requests = batch(new SeededRng(16), 2, 100);
    const encoded = Buffer.from(encodeRequests(requests));
    expect(encodesExactly(encoded, requests)).toBe(false); // equal bytes, bodies elsewhere
    const decoded = decodedRequests(Buffer.from(encodeMessage(prePrepare(requests))));
    const own = withRequestsEncoding(decoded, (b) => b);
    expect(encodesExactly(own, decoded)).toBe(true);
    expect(encodesExactly(own.subarray(0, own.length - 1), decoded)).toBe(false);
    expect(encodesExactly(new Uint8Array(3), [])).toBe(false);
  });
});
