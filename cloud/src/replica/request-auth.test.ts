import { generateKeyPair } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { cachedRequestVerifier, isAuthenticRequest, signedRequest } from './request-auth.ts';

describe('client request authentication', () => {
  const alice = generateKeyPair();
  const mallory = generateKeyPair();
  const request = signedRequest(alice, 5, [{ event: 'harvest' }], 1_700_000_000_000);

  it('accepts a submission signed by the key whose id is the submitter', () => {
    expect(isAuthenticRequest(request)).toBe(true);
  });

  it('refuses another seq, another submitter, a tampered body or a key that is not the submitter', () => {
    expect(isAuthenticRequest({ ...request, seq: 6 })).toBe(false);
    expect(isAuthenticRequest({ ...request, submitter: mallory.keyId })).toBe(false);
    const tampered = new Uint8Array(request.body);
    const at = tampered.length - 5;
    tampered[at] = tampered[at]! ^ 1;
    expect(isAuthenticRequest({ ...request, body: tampered })).toBe(false);
    const malloryRequest = signedRequest(mallory, 5, [{ event: 'harvest' }], 1);
    expect(isAuthenticRequest({ ...malloryRequest, submitter: alice.keyId })).toBe(false);
    expect(isAuthenticRequest({ ...request, body: new Uint8Array([1, 2, 3]) })).toBe(false);
  });

  it('caches verdicts per (submitter, seq, body)', () => {
    const verify = cachedRequestVerifier(2);
    expect(verify(request)).toBe(true);
    expect(verify({ ...request, seq: 6 })).toBe(false);
    expect(verify(request)).toBe(true);
    // The same body object under another submitter, then an equal copy of the body.
    expect(verify({ ...request, submitter: mallory.keyId })).toBe(false);
    expect(verify({ ...request, body: new Uint8Array(request.body) })).toBe(true);
    expect(verify({ ...request, submitter: mallory.keyId })).toBe(false);
  });

  it('hands what it derived out once, for equal bytes only, and never for a forged request', () => {
    const verify = cachedRequestVerifier();
    const other = signedRequest(alice, 5, [{ event: 'pack' }], 1_700_000_000_000);
    expect(verify(request)).toBe(true);
    expect(verify.takeChecked(other)).toBeUndefined(); // same (submitter, seq), other bytes
    const checked = verify.takeChecked({ ...request, body: new Uint8Array(request.body) });
    expect(checked?.header.seq).toBe(5);
    expect(checked?.leaves).toHaveLength(1);
    expect(verify.takeChecked(request)).toBeUndefined();
    expect(verify({ ...request, seq: 6 })).toBe(false);
    expect(verify.takeChecked({ ...request, seq: 6 })).toBeUndefined();
    // A second body under (alice, 5) is checked on its own and replaces the first.
    expect(verify(other)).toBe(true);
    expect(verify.takeChecked(request)).toBeUndefined();
    expect(verify.takeChecked(other)?.header.seq).toBe(5);
    expect(verify(request)).toBe(true);
  });

  it('keeps verdicts within its body byte budget', () => {
    const verify = cachedRequestVerifier(100, request.body.length);
    const second = signedRequest(alice, 6, [{ event: 'harvest' }], 1_700_000_000_000);
    expect(verify(request)).toBe(true);
    expect(verify(second)).toBe(true);
    const tampered = new Uint8Array(request.body);
    tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 1;
    expect(verify({ ...request, body: tampered })).toBe(false);
    expect(verify(request)).toBe(true);
    expect(verify({ ...second, body: new Uint8Array(second.body) })).toBe(true);
  });
});
