import {
  canonicalize,
  generateKeyPair,
  type JsonValue,
  limits,
  publicKeyToText,
  SeededRng,
  signSubmission,
  utf8,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { ClientRequest } from '../consensus/types.ts';
import { generalRequestCheck, isAuthenticRequest, signedRequest } from './request-auth.ts';
import { fastRequestCheck, nestingDepth } from './request-check-fast.ts';

const alice = generateKeyPair();
const bob = generateKeyPair();

type Json = { [key: string]: JsonValue };

/** One seeded change to a signed body's JSON (most keep it well-formed, some break the shape). */
function mutate(body: Json, rng: SeededRng): string {
  const sub = body.submission as Json;
  const pick = rng.int(30); // 19..29: unchanged
  switch (pick) {
    case 0:
      return JSON.stringify({ ...body, extra: 1 });
    case 1:
      return JSON.stringify({ ...body, submission: { ...sub, extra: 'x' } });
    case 2:
      return JSON.stringify({ ...body, submission: { ...sub, seq: (sub.seq as number) + 0.5 } });
    case 3:
      return JSON.stringify({ ...body, submission: { ...sub, seq: '7' } });
    case 4:
      return JSON.stringify({ ...body, submission: { ...sub, created: -1 } });
    case 5:
      return JSON.stringify({ ...body, submission: { ...sub, payloads: [] } });
    case 6:
      return JSON.stringify({ ...body, submission: { ...sub, signature: `${sub.signature}A` } });
    case 7: {
      // Last signature character with stray low bits: not canonical base64url.
      const s = sub.signature as string;
      return JSON.stringify({ ...body, submission: { ...sub, signature: `${s.slice(0, -1)}B` } });
    }
    case 8:
      return JSON.stringify({ ...body, publicKey: bob.keyId.slice(0, 43) });
    case 9:
      return JSON.stringify({ ...body, publicKey: 42 });
    case 10:
      return JSON.stringify({ ...body, submission: { ...sub, submitter: bob.keyId } });
    case 11: {
      // A member that zod's copy turns into a prototype; written escaped so JSON.stringify keeps it.
      const text = JSON.stringify(body);
      return text.replace('"payloads":[{', '"payloads":[{"\\u005f_proto__":{"a":1},');
    }
    case 12:
      return JSON.stringify(body).replace('"payloads":[{', '"payloads":[{"big":1e999,');
    case 13:
      return JSON.stringify(body).replace('"payloads":[{', '"payloads":[{"s":"\\ud800",');
    case 14:
      return JSON.stringify({ ...body, submission: [sub] });
    case 15:
      return JSON.stringify(body).replace('"payloads":[{', '"payloads":[{"n":1e5,');
    case 16:
      return `${JSON.stringify(body)} `;
    case 17:
      return JSON.stringify(body).slice(0, -2);
    case 18:
      return JSON.stringify({ ...body, submission: { ...sub, payloads: 'x' } });
    default:
      return JSON.stringify(body);
  }
}

describe('fast request check', () => {
  it('decides signed plain bodies like the general check', () => {
    const request = signedRequest(alice, 3, [{ n: 1, pad: 'x'.repeat(900) }], 1_700_000_000_000);
    const text = Buffer.from(request.body).toString('utf8');
    expect(fastRequestCheck(text, request.submitter, request.seq)).toBe(true);
    expect(fastRequestCheck(text, request.submitter, 4)).toBe(false);
    expect(fastRequestCheck(text, bob.keyId, 3)).toBe(false);
    expect(generalRequestCheck(text, request)).toBe(true);
  });

  it('agrees with the general check on 1,500 seeded variations of signed bodies', () => {
    const rng = new SeededRng(20261124);
    let fastDecided = 0;
    let fastAccepted = 0;
    for (let i = 0; i < 1500; i++) {
      const payloads: JsonValue[] = Array.from({ length: 1 + rng.int(4) }, (_, k) => ({
        k,
        v: rng.int(1000) / 10,
        t: 'é😀'.repeat(rng.int(3)),
        list: [null, true, rng.int(9)],
      }));
      const seq = 1 + rng.int(1000);
      const signed = signedRequest(rng.int(2) ? alice : bob, seq, payloads, rng.int(2 ** 40));
      const body = JSON.parse(Buffer.from(signed.body).toString('utf8')) as Json;
      const text = mutate(body, rng);
      const request: ClientRequest = {
        submitter: rng.int(10) === 0 ? alice.keyId : signed.submitter,
        seq: rng.int(10) === 0 ? seq + 1 : seq,
        body: utf8(text),
      };
      const fast = fastRequestCheck(text, request.submitter, request.seq);
      if (fast !== 'general') fastDecided++;
      if (fast === true) fastAccepted++;
      const general = generalRequestCheck(text, request);
      if (fast !== 'general') expect({ i, text, verdict: fast }).toEqual({ i, text, verdict: general });
      expect(isAuthenticRequest(request)).toBe(general);
    }
    // The fast path must actually take most of them (unchanged and simply altered bodies).
    expect(fastDecided).toBeGreaterThan(700);
    expect(fastAccepted).toBeGreaterThan(300);
  });

  it('leaves payloads with a __proto__ member to the general check', () => {
    const signed = signedRequest(alice, 1, [JSON.parse('{"__proto__":{"a":1}}') as JsonValue], 1);
    const text = Buffer.from(signed.body).toString('utf8');
    expect(text).toContain('__proto__');
    expect(fastRequestCheck(text, signed.submitter, 1)).toBe('general');
    expect(isAuthenticRequest(signed)).toBe(generalRequestCheck(text, signed));
  });

  it('measures the size limit on the canonical submission as the general check does', () => {
    const probe = signedRequest(alice, 1, [{ pad: '' }], 1);
    const probeSubmission = (JSON.parse(Buffer.from(probe.body).toString('utf8')) as Json).submission;
    const overhead = canonicalize(probeSubmission).length;
    for (const extra of [0, 1]) {
      const pad = 'x'.repeat(limits.submissionBytesMax - overhead + extra);
      const signed = signedRequest(alice, 1, [{ pad }], 1);
      const text = Buffer.from(signed.body).toString('utf8');
      const general = generalRequestCheck(text, signed);
      expect(general).toBe(extra === 0);
      const fast = fastRequestCheck(text, signed.submitter, 1);
      expect(fast === 'general' ? general : fast).toBe(general);
      expect(fast).toBe(extra === 0 ? true : 'general');
    }
  });

  it('leaves payloads nested deeper than the whole submission allows to the general check', () => {
    expect(nestingDepth('[{"a":"[[{\\""},[[]]]')).toBe(3);
    for (const depth of [61, 62, 63, 64]) {
      let payload: JsonValue = 1;
      for (let i = 0; i < depth; i++) payload = [payload];
      const s = signSubmission(
        { submitter: alice.keyId, seq: 1, created: 1, payloads: [payload] },
        alice.privateKey,
      );
      // Written by hand: the canonical encoder refuses a body this deep.
      const text = `{"publicKey":"${publicKeyToText(alice.publicKey)}","submission":${JSON.stringify(s)}}`;
      const request: ClientRequest = { submitter: alice.keyId, seq: 1, body: utf8(text) };
      const general = generalRequestCheck(text, request);
      expect({ depth, general }).toEqual({ depth, general: depth <= limits.canonicalDepthMax - 2 });
      const fast = fastRequestCheck(text, alice.keyId, 1);
      expect({ depth, fast: fast === 'general' ? general : fast }).toEqual({ depth, fast: general });
      expect(isAuthenticRequest(request)).toBe(general);
    }
  });
});
