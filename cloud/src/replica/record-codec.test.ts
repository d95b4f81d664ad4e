import { SeededRng, toHex } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { encodeRequests as encodeWire, withRequestsEncoding } from '../consensus/statements.ts';
import type { ClientRequest } from '../consensus/types.ts';
import { decodeRequests, encodeRequests } from './record-codec.ts';

describe('stored requests', () => {
  it('are byte for byte the consensus encoding, so a body row can be written from either', () => {
    // store-bodies.ts binds the consensus encoding (a frame's bytes or a reused scratch) where it
    // bound record-codec's encodeRequests: same bytes on disk, old rows read back unchanged.
    const rng = new SeededRng(21);
    for (const count of [0, 1, 3, 50]) {
      const requests: ClientRequest[] = Array.from({ length: count }, (_, i) => ({
        submitter: i % 2 === 0 ? `gw-é-${rng.int(99)}-✓𝄞` : `s${i}`,
        seq: i === 0 ? Number.MAX_SAFE_INTEGER : rng.int(1_000_000),
        body: Uint8Array.from({ length: rng.int(2000) }, () => rng.int(256)),
      }));
      const stored = toHex(encodeRequests(requests));
      expect(toHex(encodeWire(requests))).toBe(stored);
      expect(withRequestsEncoding(requests, (bytes) => toHex(bytes))).toBe(stored);
      const back = decodeRequests(withRequestsEncoding(requests, (bytes) => Uint8Array.from(bytes)));
      expect(back.map((r) => [r.submitter, r.seq, toHex(r.body)])).toEqual(
        requests.map((r) => [r.submitter, r.seq, toHex(r.body)]),
      );
    }
  });
});
