import { generateKeyPair, type JsonValue, limits, SeededRng, toBase64Url } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { ClientRequest } from '../consensus/types.ts';
import { cachedRequestVerifier, signedRequest } from '../replica/request-auth.ts';
import {
  bodyFromChecked,
  payloadPieceBytesMax,
  payloadsFromSpans,
  plainFromChecked,
} from './checked-body.ts';
import { plainReadingRequest } from './plain-request.ts';
import { decodeRequest } from './submission-check.ts';
import { type CheckedDerivation, payloadsTextOf } from './submission-digest.ts';

/**
 * A canonical body read in pieces from its check's derivation must be, member for member and in
 * the same order, what `JSON.parse` of the whole body gives, whatever its payloads hold (several
 * pieces, a payload longer than a piece, non-ASCII text, escapes), and only a plain reading batch
 * may take the piecewise path in `decodeRequest`.
 */
const alice = generateKeyPair();
const rng = new SeededRng(8);

function reading(seq: number): JsonValue {
  return {
    kind: 'reading',
    reading: {
      deviceId: `probe-${rng.int(4)}`,
      seq,
      time: 1.7e12 + rng.int(1e6),
      type: 'Temperature',
      uom: 'CEL',
      value: Math.round((rng.next() * 80 - 40) * 1000) / 1000,
    },
  };
}

function payload(seq: number): JsonValue {
  const pick = rng.int(5);
  if (pick <= 1) return reading(seq);
  if (pick === 2) return { n: rng.int(1000), pad: 'x'.repeat(rng.int(2 * payloadPieceBytesMax)) };
  if (pick === 3)
    return { t: 'é😀\n"\\\u0001'.repeat(rng.int(4)), list: [null, true, -rng.int(9), 1e21, 0.5] };
  return { nested: { b: [{}, []], a: '中文' }, z: -0 };
}

/** The request and what a replica's verifier derived from its bytes. */
function checkedRequest(
  payloads: JsonValue[],
  seq = 1,
): { request: ClientRequest; checked: CheckedDerivation } {
  const request = signedRequest(alice, seq, payloads, 1_700_000_000_000);
  const verifier = cachedRequestVerifier();
  expect(verifier(request)).toBe(true);
  const checked = verifier.takeChecked(request);
  if (checked === undefined) throw new Error('not checked as canonical');
  return { request: { ...request }, checked };
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

describe('a canonical body read in pieces', () => {
  it('is what JSON.parse of the whole body gives, for 200 seeded bodies', () => {
    let pieced = 0;
    for (let i = 0; i < 200; i++) {
      const payloads = Array.from({ length: 1 + rng.int(60) }, (_, k) => payload(k));
      const { request, checked } = checkedRequest(payloads, 1 + i);
      const whole = JSON.parse(text(request.body)) as unknown;
      const read = bodyFromChecked(request.body, checked);
      expect(read).toEqual(whole);
      // Member order too: the body is canonical, so writing the value out gives its bytes again.
      expect(JSON.stringify(read)).toBe(text(request.body));
      if (checked.payloadsEnd - checked.payloadsStart > payloadPieceBytesMax) pieced++;
    }
    expect(pieced).toBeGreaterThan(50);
  });

  it('reads a full reading batch in pieces under the limit, each payload once and in order', () => {
    const payloads = Array.from({ length: limits.batchReadingsMax }, (_, k) => reading(k));
    const { request, checked } = checkedRequest(payloads);
    const read = payloadsFromSpans(request.body, checked.payloadSpans);
    expect(read).toEqual(payloads);
    expect(read.length).toBe(limits.batchReadingsMax);
    expect(checked.payloadsEnd - checked.payloadsStart).toBeGreaterThan(10 * payloadPieceBytesMax);
  });

  it('is taken by decodeRequest for a plain reading batch only, with the full decode result', () => {
    const batches: [JsonValue[], boolean][] = [
      [Array.from({ length: 700 }, (_, k) => reading(k)), true],
      [[reading(1), { n: 1, pad: 'x' }], false],
      [[{ kind: 'reading', reading: { deviceId: 'probe-1' } }], false],
      [[{ n: 1, pad: 'x' }, reading(2)], false],
      [[{ kind: 'registry', action: { type: 'x' } }], false],
      [[{ kind: 'readings' }], false],
    ];
    for (const [payloads, plain] of batches) {
      const { request, checked } = checkedRequest(payloads);
      const whole = plainReadingRequest(JSON.parse(text(request.body)));
      expect(plainFromChecked(request.body, checked)).toEqual(whole);
      expect(whole !== null).toBe(plain);
      const verifier = cachedRequestVerifier();
      expect(verifier(request)).toBe(true);
      const fromCheck = decodeRequest(request, verifier, undefined, verifier.takeChecked(request));
      const full = decodeRequest(request);
      expect(fromCheck.ok).toBe(full.ok);
      if (!fromCheck.ok || !full.ok) {
        expect(fromCheck).toEqual(full);
        continue;
      }
      // The piecewise path makes no payloads text (a ~1 MB string per batch); its bytes are it.
      expect(fromCheck.payloadsText === undefined).toBe(plain);
      expect(payloadsTextOf(fromCheck)).toBe(payloadsTextOf(full));
      expect(fromCheck.request).toEqual(full.request);
      expect(JSON.stringify(fromCheck.request)).toBe(JSON.stringify(full.request));
      expect(toBase64Url(fromCheck.bodyHash)).toBe(toBase64Url(full.bodyHash));
      expect(fromCheck.header).toEqual(full.header);
      expect(fromCheck.leaves).toEqual(full.leaves);
      expect(fromCheck.submissionBytes).toBe(full.submissionBytes);
    }
  });
});
