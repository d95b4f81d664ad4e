import { limits } from '@suyuan/shared';
import { scanValue } from './canonical-scan.ts';

/**
 * The canonical request body `{"publicKey":…,"submission":{"created":…,"payloads":[…],"seq":…,
 * "signature":…,"submitter":…}}` located in its UTF-8 bytes without parsing them. Canonical member
 * order makes the frame a fixed template around five values and the payloads; each payload is
 * proven canonical by `scanValue` (canonical-scan.ts), so its canonical bytes are its slice of the
 * body. Anything else (another member order, whitespace, a value of another form) gives null, and
 * the caller takes its slower path. The caller checks that the bytes are well-formed UTF-8.
 */
export interface RequestFrame {
  publicKey: string;
  submitter: string;
  seq: number;
  created: number;
  signature: string;
  /** Start and end (exclusive) of each payload in the body, flat: [start0, end0, start1, end1, …]. */
  payloadSpans: number[];
  /** The payloads array's contents (between its brackets): the payload texts joined by commas. */
  payloadsStart: number;
  payloadsEnd: number;
  /** Start and end of the canonical submission object within the body. */
  submissionStart: number;
  submissionEnd: number;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const PUBLIC_KEY = ascii('{"publicKey":"');
const SUBMISSION = ascii('","submission":');
const CREATED = ascii('{"created":');
const PAYLOADS = ascii(',"payloads":[');
const SEQ = ascii('],"seq":');
const SIGNATURE = ascii(',"signature":"');
const SUBMITTER = ascii('","submitter":"');
const END = ascii('"}}');

/** Most payloads in one submission: the envelope's bound (a reading batch's). */
const payloadsMax = Math.max(limits.submissionPayloadsMax, limits.batchReadingsMax);

function literal(b: Uint8Array, at: number, lit: Uint8Array): number {
  if (at < 0 || at + lit.length > b.length) return -1;
  for (let k = 0; k < lit.length; k++) if (b[at + k] !== lit[k]) return -1;
  return at + lit.length;
}

const isBase64Url = (c: number | undefined) =>
  c !== undefined &&
  ((c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f);

/** `length` base64url characters at `at` as a string (`view`: the same bytes as a Buffer), or null. */
function base64UrlText(b: Uint8Array, view: Buffer, at: number, length: number): string | null {
  if (at < 0 || at + length > b.length) return null;
  for (let k = at; k < at + length; k++) if (!isBase64Url(b[k])) return null;
  return view.toString('latin1', at, at + length);
}

/** A canonical safe integer ≥ `min` at `at` (no sign, no leading zero): [value, end], or null. */
function safeInteger(b: Uint8Array, at: number, min: number): [number, number] | null {
  if (at < 0) return null;
  let j = at;
  let value = 0;
  while (j < b.length && b[j]! >= 0x30 && b[j]! <= 0x39) value = value * 10 + (b[j++]! - 0x30);
  const digits = j - at;
  if (digits === 0 || digits > 16 || (digits > 1 && b[at] === 0x30)) return null;
  // Rounding is monotonic, so a value beyond 2^53 - 1 still compares above it.
  if (value > Number.MAX_SAFE_INTEGER || value < min) return null;
  return [value, j];
}

export function requestFrame(b: Uint8Array): RequestFrame | null {
  const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let j = literal(b, 0, PUBLIC_KEY);
  const publicKey = base64UrlText(b, view, j, 43);
  if (publicKey === null) return null;
  j = literal(b, j + 43, SUBMISSION);
  const submissionStart = j;
  const created = safeInteger(b, literal(b, j, CREATED), 0);
  if (created === null) return null;
  j = literal(b, created[1], PAYLOADS);
  if (j < 0) return null;
  const payloadsStart = j;
  const payloadSpans: number[] = [];
  for (;;) {
    const end = scanValue(b, j);
    if (end < 0 || payloadSpans.length >= 2 * payloadsMax) return null;
    payloadSpans.push(j, end);
    if (b[end] !== 0x2c) {
      j = end;
      break;
    }
    j = end + 1;
  }
  const payloadsEnd = j;
  const seq = safeInteger(b, literal(b, j, SEQ), 1);
  if (seq === null) return null;
  j = literal(b, seq[1], SIGNATURE);
  const signature = base64UrlText(b, view, j, 86);
  if (signature === null) return null;
  j = literal(b, j + 86, SUBMITTER);
  const submitter = base64UrlText(b, view, j, 43);
  if (submitter === null) return null;
  j = literal(b, j + 43, END);
  if (j !== b.length) return null;
  return {
    publicKey,
    submitter,
    seq: seq[0],
    created: created[0],
    signature,
    payloadSpans,
    payloadsStart,
    payloadsEnd,
    submissionStart,
    submissionEnd: j - 1,
  };
}
