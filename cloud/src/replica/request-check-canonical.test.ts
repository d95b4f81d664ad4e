import {
  canonicalBytes,
  canonicalize,
  generateKeyPair,
  type JsonValue,
  limits,
  payloadLeafHash,
  SeededRng,
  type Submission,
  submissionHeader,
  submissionSigningBytes,
  toBase64Url,
  utf8,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { ClientRequest } from '../consensus/types.ts';
import { checkRequest, generalRequestCheck, signedRequest } from './request-auth.ts';
import { canonicalRequestCheck, headerSigningBytes } from './request-check-canonical.ts';

/**
 * The canonical-body check must reach the general check's verdict on every body it decides, and
 * what it derives must equal what the ledger would compute from the parsed body.
 */
const alice = generateKeyPair();
const bob = generateKeyPair();
const rng = new SeededRng(7);

function payload(): JsonValue {
  const pick = rng.int(4);
  if (pick === 0) {
    return {
      kind: 'reading',
      reading: {
        deviceId: 'probe-1',
        seq: rng.int(1e6),
        time: 1.7e12,
        type: 'Temperature',
        uom: 'CEL',
        value: rng.next() * 40,
      },
    };
  }
  if (pick === 1) return { n: rng.int(1000), pad: 'x'.repeat(rng.int(900)) };
  if (pick === 2) return { t: 'é😀\n"\\'.repeat(rng.int(3)), list: [null, true, -rng.int(9), 1e21, 0.5] };
  return { nested: { b: [{}, []], a: 'ok' }, z: -0 };
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** One change to a signed canonical body, as text; most keep it canonical, some do not. */
function mutate(t: string): string {
  switch (rng.int(16)) {
    case 0:
      return t.replace(/"n":(\d)/, (_, d) => `"n":${(Number(d) + 1) % 10}`); // forged payload
    case 1:
      return t.replace('"created":1', '"created":2'); // forged header
    case 2:
      return t.replace(/"seq":(\d+)/, (_, d) => `"seq":${Number(d) + 1}`);
    case 3:
      return t.replace(',"seq"', ', "seq"'); // not canonical
    case 4:
      return t.replace(/"signature":"(.)/, (_, c) => `"signature":"${c === 'A' ? 'B' : 'A'}`);
    case 5:
      return t.replace(/([A-Za-z0-9_-])"}}$/, (_, c) => `${c === 'A' ? 'Q' : 'A'}"}}`); // submitter
    case 6:
      return t.replace('"payloads":[', '"payloads":[{"extra":1},');
    case 7:
      return t.replace('"payloads":[', '"payloads":[],"x":[');
    case 8:
      return t.slice(0, -1);
    case 9:
      return t.replace(/"publicKey":"(.)/, (_, c) => `"publicKey":"${c === 'A' ? 'B' : 'A'}`);
    case 10:
      return t.replace('0.5', '5e-1');
    default:
      return t;
  }
}

describe('canonical request check', () => {
  it('decides like the general check on 1,500 seeded bodies and changes', () => {
    let decided = 0;
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      const who = rng.int(2) ? alice : bob;
      const seq = 1 + rng.int(1000);
      const payloads = Array.from({ length: 1 + rng.int(5) }, payload);
      const signed = signedRequest(who, seq, payloads, 1_700_000_000_000 + rng.int(9));
      const body = mutate(text(signed.body));
      const request: ClientRequest = {
        submitter: rng.int(12) === 0 ? alice.keyId : signed.submitter,
        seq: rng.int(12) === 0 ? seq + 1 : seq,
        body: utf8(body),
      };
      const general = generalRequestCheck(body, request);
      const canonical = canonicalRequestCheck(request.body, request.submitter, request.seq);
      if (canonical !== 'fallback') {
        decided++;
        if (canonical !== false) accepted++;
        expect({ i, body, verdict: canonical !== false }).toEqual({ i, body, verdict: general });
      }
      expect(checkRequest(request).verdict).toBe(general);
    }
    expect(decided).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(300);
  });

  it('derives the header, leaves, payload texts and size the parsed body gives', () => {
    for (let i = 0; i < 200; i++) {
      const payloads = Array.from({ length: 1 + rng.int(40) }, payload);
      const signed = signedRequest(alice, 1 + i, payloads, 1_700_000_000_000);
      const checked = canonicalRequestCheck(signed.body, signed.submitter, signed.seq);
      if (checked === false || checked === 'fallback') throw new Error(`body ${i} not accepted`);
      const submission = (JSON.parse(text(signed.body)) as { submission: Submission }).submission;
      expect(checked.header).toEqual(submissionHeader(submission));
      expect(checked.leaves).toEqual(submission.payloads.map(payloadLeafHash));
      expect(Buffer.from(signed.body).toString('utf8', checked.payloadsStart, checked.payloadsEnd)).toBe(
        submission.payloads.map((p) => canonicalize(p)).join(','),
      );
      expect(checked.submissionBytes).toBe(canonicalBytes(submission).length);
    }
  });

  it('takes a 4,096-reading batch and refuses one more payload than the envelope allows', () => {
    const reading = (seq: number): JsonValue => ({
      kind: 'reading',
      reading: { deviceId: 'probe-1', seq, time: 1.7e12, type: 'Temperature', uom: 'CEL', value: 21.5 },
    });
    const full = signedRequest(
      alice,
      1,
      Array.from({ length: limits.batchReadingsMax }, (_, k) => reading(k)),
      1,
    );
    const checked = canonicalRequestCheck(full.body, full.submitter, 1);
    expect(checked !== false && checked !== 'fallback' && checked.leaves.length).toBe(
      limits.batchReadingsMax,
    );
    const over = signedRequest(
      alice,
      2,
      Array.from({ length: limits.batchReadingsMax + 1 }, (_, k) => reading(k)),
      1,
    );
    expect(canonicalRequestCheck(over.body, over.submitter, 2)).toBe('fallback');
    expect(checkRequest(over).verdict).toBe(false);
  });

  it('holds the submission size limit as the general check does', () => {
    const probe = signedRequest(alice, 1, [{ pad: '' }], 1);
    const overhead = canonicalize(
      (JSON.parse(text(probe.body)) as { submission: JsonValue }).submission,
    ).length;
    for (const extra of [0, 1]) {
      const signed = signedRequest(
        alice,
        1,
        [{ pad: 'x'.repeat(limits.submissionBytesMax - overhead + extra) }],
        1,
      );
      const general = generalRequestCheck(text(signed.body), signed);
      expect(general).toBe(extra === 0);
      const verdict = canonicalRequestCheck(signed.body, signed.submitter, 1);
      expect(verdict !== false && verdict !== 'fallback').toBe(general);
      expect(verdict === 'fallback').toBe(false);
    }
  });

  it('writes the signed header as the shared encoder does', () => {
    for (let i = 0; i < 200; i++) {
      const header = {
        v: 1 as const,
        submitter: i % 2 ? alice.keyId : bob.keyId,
        seq: 1 + rng.int(2 ** 40),
        created: i === 0 ? Number.MAX_SAFE_INTEGER : rng.int(2 ** 41),
        payloadCount: 1 + rng.int(4096),
        payloadsRoot: toBase64Url(payloadLeafHash({ i })),
      };
      expect(headerSigningBytes(header)).toEqual(submissionSigningBytes(header));
    }
  });

  it('refuses a signature text with stray low bits, as fromBase64Url does', () => {
    const signed = signedRequest(alice, 3, [{ n: 1 }], 1);
    const t = text(signed.body);
    const sig = /"signature":"([^"]+)"/.exec(t)![1]!;
    const stray = `${sig.slice(0, -1)}${String.fromCharCode(sig.charCodeAt(85) + 1)}`;
    const body = utf8(t.replace(sig, stray));
    expect(canonicalRequestCheck(body, signed.submitter, 3)).toBe(false);
    expect(generalRequestCheck(text(body), { ...signed, body })).toBe(false);
  });
});
