import { limits } from '@suyuan/shared';

/**
 * A scanner that proves, without parsing or re-encoding, that UTF-8 bytes are already the RFC 8785
 * canonical JSON text of what `JSON.parse` reads from them (`canonicalize(JSON.parse(text)) ===
 * text`), and finds where each value starts and ends. Our clients sign canonical forms and send
 * canonical bodies, so a payload's canonical bytes are a slice of the request body: the request
 * check hashes that slice instead of parsing the body and encoding every payload again.
 *
 * It accepts only what the encoder itself writes: no whitespace; object members in strictly
 * increasing key order (so no duplicates); strings with exactly JSON.stringify's escapes (`\"`,
 * `\\`, `\b \f \n \r \t`, `\u00xx` in lower case for the other controls) and no lone surrogate
 * (the caller checks the bytes are well-formed UTF-8, which rules out raw surrogates; escaped ones
 * are refused); numbers only where `String(Number(token)) === token`. For simplicity it also refuses
 * some canonical texts — keys with escapes or non-ASCII characters, a `__proto__` key (JSON.parse
 * makes it an own member, zod's copy a prototype: the general check must decide those), nesting
 * deeper than `scanDepthMax` — and the caller takes its slower path for them. -1 means "refused".
 */

/**
 * Deepest container nesting inside a payload: a payload sits two levels down in the canonical
 * submission (`submission.payloads[i]`), which `canonicalize` holds to `canonicalDepthMax`.
 */
export const scanDepthMax = limits.canonicalDepthMax - 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // __proto__

/** The end (exclusive) of the canonical JSON value starting at `at`, or -1. */
export function scanValue(b: Uint8Array, at: number, depth = 0): number {
  const c = b[at];
  if (c === QUOTE) return scanString(b, at);
  if (c === OPEN_OBJECT) return depth >= scanDepthMax ? -1 : scanObject(b, at, depth + 1);
  if (c === OPEN_ARRAY) return depth >= scanDepthMax ? -1 : scanArray(b, at, depth + 1);
  if (c === 0x74) return scanLiteral(b, at, TRUE);
  if (c === 0x66) return scanLiteral(b, at, FALSE);
  if (c === 0x6e) return scanLiteral(b, at, NULL);
  return scanNumber(b, at);
}

/** `lit` at `at`: the end, or -1. */
export function scanLiteral(b: Uint8Array, at: number, lit: readonly number[]): number {
  if (at + lit.length > b.length) return -1;
  for (let k = 0; k < lit.length; k++) if (b[at + k] !== lit[k]) return -1;
  return at + lit.length;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= NINE;
/** Characters a JSON number token is made of, after its first digit. */
const isNumberPart = (c: number | undefined) =>
  isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;

function scanNumber(b: Uint8Array, at: number): number {
  let j = at;
  if (b[j] === MINUS) j++;
  const firstDigit = j;
  while (isDigit(b[j])) j++;
  const digits = j - firstDigit;
  if (digits === 0) return -1;
  if (!isNumberPart(b[j])) {
    // An integer: canonical unless it has a leading zero or is -0; up to 15 digits it is exact.
    if (b[firstDigit] === ZERO) return digits === 1 && firstDigit === at ? j : -1;
    if (digits <= 15) return j;
  }
  while (isNumberPart(b[j])) j++;
  let token = '';
  for (let k = at; k < j; k++) token += String.fromCharCode(b[k]!);
  // JSON.stringify writes a finite number as String(n); every such text is a valid JSON number.
  return String(Number(token)) === token ? j : -1;
}

const isLowerHex = (c: number | undefined) =>
  c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66));
const hexValue = (c: number) => (c <= NINE ? c - ZERO : c - 0x61 + 10);
/** Escape letters JSON.stringify uses: " \ b f n r t. */
const SHORT_ESCAPES = new Set([QUOTE, BACKSLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** Controls that have a short escape, so `\u00xx` for them is not canonical: \b \t \n \f \r. */
const SHORT_ESCAPED_CONTROLS = new Set([8, 9, 10, 12, 13]);

/** A string in JSON.stringify's form starting at the quote at `at`: the end, or -1. */
export function scanString(b: Uint8Array, at: number): number {
  let j = at + 1;
  for (;;) {
    const c = b[j];
    if (c === undefined || c < 0x20) return -1;
    if (c === QUOTE) return j + 1;
    if (c !== BACKSLASH) {
      j++;
      continue;
    }
    const e = b[j + 1];
    if (e !== undefined && SHORT_ESCAPES.has(e)) {
      j += 2;
      continue;
    }
    // \u00xx: only for a control character without a short escape (no other \u is canonical).
    if (e !== 0x75 || b[j + 2] !== ZERO || b[j + 3] !== ZERO) return -1;
    const high = b[j + 4];
    const low = b[j + 5];
    if ((high !== ZERO && high !== 0x31) || !isLowerHex(low)) return -1;
    if (SHORT_ESCAPED_CONTROLS.has((high! - ZERO) * 16 + hexValue(low!))) return -1;
    j += 6;
  }
}

/** A key of printable ASCII without escapes (byte order is then UTF-16 order): its end, or -1. */
function scanPlainKey(b: Uint8Array, at: number): number {
  if (b[at] !== QUOTE) return -1;
  let j = at + 1;
  for (;;) {
    const c = b[j];
    if (c === QUOTE) return j + 1;
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
    j++;
  }
}

/** Byte comparison of b[a0, a1) and b[c0, c1): negative, zero or positive. */
function compareSpans(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const n = Math.min(a1 - a0, c1 - c0);
  for (let k = 0; k < n; k++) {
    const d = b[a0 + k]! - b[c0 + k]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (c1 - c0);
}

function scanObject(b: Uint8Array, at: number, depth: number): number {
  let j = at + 1;
  if (b[j] === CLOSE_OBJECT) return j + 1;
  let previousStart = -1;
  let previousEnd = -1;
  for (;;) {
    const keyEnd = scanPlainKey(b, j);
    if (keyEnd < 0) return -1;
    // Key text without its quotes; members must come in strictly increasing order.
    const start = j + 1;
    const end = keyEnd - 1;
    if (previousStart >= 0 && compareSpans(b, previousStart, previousEnd, start, end) >= 0) return -1;
    if (end - start === PROTO.length && scanLiteral(b, start, PROTO) === end) return -1;
    previousStart = start;
    previousEnd = end;
    if (b[keyEnd] !== COLON) return -1;
    j = scanValue(b, keyEnd + 1, depth);
    if (j < 0) return -1;
    if (b[j] === CLOSE_OBJECT) return j + 1;
    if (b[j] !== COMMA) return -1;
    j++;
  }
}

function scanArray(b: Uint8Array, at: number, depth: number): number {
  let j = at + 1;
  if (b[j] === CLOSE_ARRAY) return j + 1;
  for (;;) {
    j = scanValue(b, j, depth);
    if (j < 0) return -1;
    if (b[j] === CLOSE_ARRAY) return j + 1;
    if (b[j] !== COMMA) return -1;
    j++;
  }
}
