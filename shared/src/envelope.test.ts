import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { generateKeyPair } from './ed25519.ts';
import {
  parseSubmission,
  payloadLeafHash,
  signSubmission,
  submissionHeader,
  verifySubmission,
} from './envelope.ts';
import { isSuyuanError } from './errors.ts';
import { limits } from './limits.ts';
import { merkleInclusionProof, verifyMerkleInclusion } from './merkle.ts';

const gateway = generateKeyPair();
const body = {
  submitter: gateway.keyId,
  seq: 7,
  created: 1_764_000_000_000,
  payloads: [
    {
      kind: 'reading',
      reading: { deviceId: 'soil-1', seq: 1, time: 1, type: 'Temperature', value: 21.5, uom: 'CEL' },
    },
    {
      kind: 'reading',
      reading: { deviceId: 'soil-1', seq: 2, time: 2, type: 'Temperature', value: 21.6, uom: 'CEL' },
    },
    {
      kind: 'reading',
      reading: { deviceId: 'soil-1', seq: 3, time: 3, type: 'Temperature', value: 21.7, uom: 'CEL' },
    },
  ],
};

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
    expect.unreachable('should have thrown');
  } catch (error) {
    expect(isSuyuanError(error, 'envelope.invalid') || isSuyuanError(error, 'limit.exceeded')).toBe(true);
    expect(String(error)).toMatch(pattern);
  }
}

describe('signed submission envelope', () => {
  it('signs and verifies; survives a JSON round trip', () => {
    const signed = signSubmission(body, gateway.privateKey);
    const { submission, header } = verifySubmission(JSON.parse(JSON.stringify(signed)), gateway.publicKey);
    expect(submission.seq).toBe(7);
    expect(header.payloadCount).toBe(3);
  });

  it('keeps each payload provable alone by its Merkle path to the signed root', () => {
    const signed = signSubmission(body, gateway.privateKey);
    const header = submissionHeader(signed);
    const leaves = signed.payloads.map(payloadLeafHash);
    const path = merkleInclusionProof(leaves, 1);
    const root = fromBase64Url(header.payloadsRoot);
    expect(
      verifyMerkleInclusion(payloadLeafHash(signed.payloads[1]), { leafIndex: 1, treeSize: 3, path }, root),
    ).toBe(true);
    expect(
      verifyMerkleInclusion(payloadLeafHash(signed.payloads[0]), { leafIndex: 1, treeSize: 3, path }, root),
    ).toBe(false);
  });

  it('rejects a tampered payload, seq, submitter, created time or signature', () => {
    const signed = signSubmission(body, gateway.privateKey);
    const tampered = structuredClone(signed);
    tampered.payloads[0]!.reading.value = 99;
    expectInvalid(() => verifySubmission(tampered, gateway.publicKey), /signature does not verify/);
    expectInvalid(() => verifySubmission({ ...signed, seq: 8 }, gateway.publicKey), /signature/);
    expectInvalid(
      () => verifySubmission({ ...signed, created: signed.created + 1 }, gateway.publicKey),
      /signature/,
    );
    const other = generateKeyPair();
    expectInvalid(
      () => verifySubmission({ ...signed, submitter: other.keyId }, gateway.publicKey),
      /signature/,
    );
    expectInvalid(() => verifySubmission(signed, other.publicKey), /signature/);
    const sig = fromBase64Url(signed.signature);
    sig[0]! ^= 1;
    expectInvalid(
      () => verifySubmission({ ...signed, signature: toBase64Url(sig) }, gateway.publicKey),
      /signature/,
    );
  });

  it('rejects malformed envelopes with the field named', () => {
    const signed = signSubmission(body, gateway.privateKey);
    expectInvalid(() => parseSubmission(null), /\(root\)/);
    expectInvalid(() => parseSubmission({ ...signed, seq: 0 }), /seq/);
    expectInvalid(() => parseSubmission({ ...signed, seq: 1.5 }), /seq/);
    expectInvalid(() => parseSubmission({ ...signed, submitter: 'short' }), /submitter/);
    expectInvalid(() => parseSubmission({ ...signed, payloads: [] }), /payloads/);
    expectInvalid(() => parseSubmission({ ...signed, signature: 'x' }), /signature/);
  });

  it('enforces the payload count and byte limits', () => {
    const many = Array.from({ length: limits.batchReadingsMax + 1 }, (_, i) => ({ i }));
    expectInvalid(
      () => parseSubmission({ ...signSubmission({ ...body, payloads: many }, gateway.privateKey) }),
      /payloads/,
    );
    const big = [{ blob: 'x'.repeat(limits.submissionBytesMax) }];
    expectInvalid(
      () => parseSubmission(signSubmission({ ...body, payloads: big }, gateway.privateKey)),
      /submissionBytesMax/,
    );
  });
});
