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
});
