import { InputError } from './errors.ts';

/** Byte helpers used by every package: hex and base64url with strict parsing. */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function fromHex(hex: string, what = 'hex string'): Uint8Array {
  if (!HEX.test(hex)) throw new InputError('bytes.badHex', `${what} is not an even-length hex string`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function fromBase64Url(text: string, what = 'base64url string'): Uint8Array {
  if (!B64URL.test(text) || text.length % 4 === 1) {
    throw new InputError('bytes.badBase64', `${what} is not unpadded base64url`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  // Reject non-canonical encodings (stray low bits) so one byte string has one text form.
  if (toBase64Url(bytes) !== text)
    throw new InputError('bytes.badBase64', `${what} is not canonical base64url`);
  return bytes;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
