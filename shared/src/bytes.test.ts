import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromHex, toBase64Url, toHex } from './bytes.ts';
import { InputError } from './errors.ts';

describe('bytes', () => {
  it('round-trips hex and base64url', () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    expect(toHex(bytes)).toBe('0001feff');
    expect(fromHex('0001FEFF')).toEqual(bytes);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it('rejects malformed hex and base64url', () => {
    expect(() => fromHex('abc')).toThrow(InputError);
    expect(() => fromHex('zz')).toThrow(InputError);
    expect(() => fromBase64Url('ab+/')).toThrow(InputError);
    // "AB" decodes to one byte with stray low bits: not the canonical form of that byte.
    expect(() => fromBase64Url('AB')).toThrow(/canonical/);
  });
});
