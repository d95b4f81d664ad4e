import {
  canonicalBytes,
  canonicalize,
  domainHash,
  generateKeyPair,
  type JsonValue,
  limits,
  measurementTypes,
  publicKeyToText,
  SeededRng,
  signSubmission,
  submissionHeader,
  submitRequestSchema,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { plainReadingRequest } from './plain-request.ts';
import { canonicalWithArray, digestSubmission, plainReadingPayloadText } from './submission-digest.ts';

/**
 * The zod-free reading-batch check and the one-pass digest must be exact: the check never accepts
 * what `submitRequestSchema` refuses and returns what zod returns; the digest's texts, header, body
 * hash and size equal those of `canonicalize` / `submissionHeader` on seeded bodies and mutations.
 */
const rng = new SeededRng(20261124);
const key = generateKeyPair();
const types = Object.keys(measurementTypes) as (keyof typeof measurementTypes)[];
const values = [0, -0, 1, -1, 21.5, 1e21, 1e-7, -273.15, 123456789.123, 2 ** 53 - 1, 5e-324, 0.1 + 0.2];

function reading(): Record<string, JsonValue> {
  const type = types[rng.int(types.length)]!;
  const uoms = measurementTypes[type].uoms;
  return {
    deviceId: ['coop-soil-1', 'a', 'x.y_z:0-9', 'D'.repeat(64)][rng.int(4)]!,
    seq: rng.chance(0.1) ? Number.MAX_SAFE_INTEGER : rng.int(2 ** 40),
    time: rng.int(2 ** 45),
    type,
    value: rng.chance(0.5) ? values[rng.int(values.length)]! : (rng.next() - 0.5) * 10 ** rng.int(12),
    uom: uoms[rng.int(uoms.length)]!,
  };
}

function body(count: number): Record<string, JsonValue> {
  const payloads = Array.from({ length: count }, () => ({ kind: 'reading', reading: reading() }));
  const submission = signSubmission(
    { submitter: key.keyId, seq: 1 + rng.int(1000), created: rng.int(2 ** 41), payloads },
    key.privateKey,
  );
  return JSON.parse(JSON.stringify({ publicKey: publicKeyToText(key.publicKey), submission })) as Record<
    string,
    JsonValue
  >;
}

type Mutation = (
  b: { submission: { payloads: { reading: Record<string, unknown> }[] } } & Record<string, unknown>,
) => void;
const at = (b: Parameters<Mutation>[0]) => b.submission.payloads[0]!.reading;
const mutations: Mutation[] = [
  (b) => delete at(b).uom,
  (b) => (at(b).extra = 1),
  (b) => (at(b).uom = 'XYZ'),
  (b) => (at(b).type = 'toString'),
  (b) => (at(b).type = 'Nope'),
  (b) => (at(b).seq = -1),
  (b) => (at(b).seq = 1.5),
  (b) => (at(b).seq = 2 ** 53),
  (b) => (at(b).time = '5'),
  (b) => (at(b).value = '1'),
  (b) => (at(b).value = null),
  (b) => (at(b).deviceId = ''),
  (b) => (at(b).deviceId = 'has space'),
  (b) => (at(b).deviceId = 'D'.repeat(65)),
  (b) => (at(b).deviceId = 7),
  (b) => ((b.submission.payloads[0] as unknown as Record<string, unknown>).kind = 'event'),
  (b) => ((b.submission.payloads[0] as unknown as Record<string, unknown>).more = true),
  (b) => ((b.submission as unknown as Record<string, unknown>).extra = 'x'),
  (b) => delete (b.submission as unknown as Record<string, unknown>).signature,
  (b) => ((b.submission as unknown as Record<string, unknown>).seq = 0),
  (b) => ((b.submission as unknown as Record<string, unknown>).created = -5),
  (b) => ((b.submission as unknown as Record<string, unknown>).signature = 'short'),
  (b) => ((b.submission as unknown as Record<string, unknown>).submitter = `${key.keyId}=`),
  (b) => (b.submission.payloads.length = 0),
  (b) => (b.publicKey = 'not a key'),
  (b) => (b.extra = 1),
  (b) => (b.submission.payloads as unknown[]).push([]),
];

describe('plainReadingRequest', () => {
  it('agrees with submitRequestSchema on seeded bodies and their mutations', () => {
    let plainAccepted = 0;
    for (let round = 0; round < 300; round++) {
      const original = body(1 + rng.int(8));
      const candidates: unknown[] = [original];
      for (const mutate of mutations) {
        const copy = structuredClone(original) as Parameters<Mutation>[0];
        mutate(copy);
        candidates.push(JSON.parse(JSON.stringify(copy)));
      }
      // JSON.parse makes "__proto__" an own member, which zod's copy would turn into a prototype.
      candidates.push(
        JSON.parse(JSON.stringify(original).replace('{"deviceId"', '{"__proto__":{},"deviceId"')),
      );
      for (const raw of candidates) {
        const plain = plainReadingRequest(raw);
        const zod = submitRequestSchema.safeParse(raw);
        if (plain !== null) {
          plainAccepted++;
          expect(zod.success).toBe(true);
          expect(plain).toEqual(zod.data);
        }
      }
      expect(plainReadingRequest(original)).not.toBeNull();
    }
    expect(plainAccepted).toBeGreaterThanOrEqual(300);
  });

  it('accepts the most payloads the schema allows and not one more', () => {
    const full = body(limits.batchReadingsMax);
    expect(plainReadingRequest(full)).not.toBeNull();
    const over = structuredClone(full) as { submission: { payloads: unknown[] } };
    over.submission.payloads.push(over.submission.payloads[0]);
    expect(plainReadingRequest(over)).toBeNull();
    expect(submitRequestSchema.safeParse(over).success).toBe(false);
  });
});

describe('digestSubmission', () => {
  it('equals canonicalize, submissionHeader and the canonical body hash', () => {
    for (let round = 0; round < 200; round++) {
      const raw = body(1 + rng.int(20));
      const request = submitRequestSchema.parse(raw);
      for (const plain of [true, false]) {
        const d = digestSubmission(request, plain);
        const s = request.submission;
        expect(d.payloadsText).toBe(s.payloads.map((p) => canonicalize(p)).join(','));
        expect(d.header).toEqual(submissionHeader({ ...s, payloads: s.payloads as JsonValue[] }));
        expect(d.bodyHash).toEqual(domainHash('envelope', canonicalBytes(request)));
        expect(d.submissionBytes).toBe(canonicalBytes(s).length);
        expect(d.bodyBytes).toEqual(canonicalBytes(request));
      }
    }
  });

  it('writes reading payloads exactly as canonicalize does', () => {
    for (let i = 0; i < 5000; i++) {
      const payload = { kind: 'reading', reading: reading() } as unknown as Parameters<
        typeof plainReadingPayloadText
      >[0];
      expect(plainReadingPayloadText(payload)).toBe(canonicalize(payload));
    }
  });

  it('splices item texts into a frame, and encodes whole when the marker is ambiguous', () => {
    const items = [{ b: 1, a: [] }, 'x', null];
    const texts = items.map((x) => canonicalize(x));
    const frame = { z: 1, list: [9], a: { list: 'not an array' } };
    expect(canonicalWithArray(frame, 'list', texts, items)).toBe(canonicalize({ ...frame, list: items }));
    const twice = { list: [1], inner: { list: [] } };
    expect(canonicalWithArray(twice, 'list', texts, items)).toBe(canonicalize({ ...twice, list: items }));
    expect(canonicalWithArray({ list: [] }, 'list', [], [])).toBe('{"list":[]}');
  });
});
