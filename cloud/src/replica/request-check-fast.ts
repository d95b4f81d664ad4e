import {
  canonicalize,
  fromBase64Url,
  keyIdOf,
  limits,
  merkleLeafHash,
  merkleRoot,
  publicKeyFromText,
  type SubmissionHeader,
  submissionSigningBytes,
  toBase64Url,
  utf8,
  verify,
} from '@suyuan/shared';

/**
 * The per-request check without the general machinery, for the common shape only. The general
 * check (`verifySubmission`: zod schema, canonical re-encoding of the whole submission for its
 * size, key parsing and key id per call) costs about as much again as the Ed25519 verification it
 * guards, and every replica runs it on every request. This path decides only bodies of the plain
 * form — exactly the five submission fields, base64url strings of the right lengths, safe
 * integers, 1..batchReadingsMax payloads (the envelope's bound), no `__proto__` member in a payload — and reaches the
 * same verdict as the general check for them (request-check-fast.test.ts compares both on seeded
 * inputs). Anything else answers 'general' and takes the general path.
 */
export type FastVerdict = boolean | 'general';

/** Parsed public keys by their text form: a submitter signs many requests with one key. */
export const knownKeyEntriesMax = 10_000;
const knownKeys = new Map<string, { key: Uint8Array; keyId: string } | null>();

/** A valid public key and its id, or null; throws never. Cached by text, bounded. */
export function knownKey(text: string): { key: Uint8Array; keyId: string } | null {
  const cached = knownKeys.get(text);
  if (cached !== undefined) return cached;
  let entry: { key: Uint8Array; keyId: string } | null = null;
  try {
    const key = publicKeyFromText(text);
    entry = { key, keyId: keyIdOf(key) };
  } catch {
    entry = null;
  }
  if (knownKeys.size >= knownKeyEntriesMax) knownKeys.delete(knownKeys.keys().next().value!);
  knownKeys.set(text, entry);
  return entry;
}

const KEY_ID = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const SUBMISSION_FIELDS = ['created', 'payloads', 'seq', 'signature', 'submitter'];

interface PlainSubmission {
  submitter: string;
  seq: number;
  created: number;
  payloads: unknown[];
  signature: string;
}

function plainSubmission(value: unknown): PlainSubmission | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value).sort();
  if (keys.length !== SUBMISSION_FIELDS.length || keys.some((k, i) => k !== SUBMISSION_FIELDS[i]))
    return null;
  const s = value as PlainSubmission;
  const ok =
    typeof s.submitter === 'string' &&
    KEY_ID.test(s.submitter) &&
    Number.isSafeInteger(s.seq) &&
    s.seq >= 1 &&
    Number.isSafeInteger(s.created) &&
    s.created >= 0 &&
    Array.isArray(s.payloads) &&
    s.payloads.length >= 1 &&
    s.payloads.length <= Math.max(limits.submissionPayloadsMax, limits.batchReadingsMax) && // the envelope's bound
    typeof s.signature === 'string' &&
    SIGNATURE.test(s.signature);
  return ok ? s : null;
}

/** Deepest container nesting of a canonical JSON text (brackets inside strings do not count). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * The verdict on a request body (UTF-8 JSON `{publicKey, submission}`) for (submitter, seq), or
 * 'general' when the body is not of the plain form. Never throws.
 */
export function fastRequestCheck(bodyText: string, submitter: string, seq: number): FastVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return 'general';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'general';
  const { publicKey, submission } = parsed as { publicKey?: unknown; submission?: unknown };
  if (typeof publicKey !== 'string') return 'general';
  const plain = plainSubmission(submission);
  if (plain === null) return 'general';
  const key = knownKey(publicKey);
  if (key === null || key.keyId !== submitter) return false;
  let leaves: Uint8Array[];
  let payloadBytes = 0;
  try {
    leaves = plain.payloads.map((payload) => {
      const text = canonicalize(payload);
      // A JSON.parse'd "__proto__" member is an own property, but zod's copy sets a prototype
      // instead: leave such payloads (and strings that merely contain the word) to the general path.
      if (text.includes('"__proto__')) throw new Error('general');
      // The general check encodes the whole submission, where a payload sits two levels down: a
      // payload nested deeper than that allows is refused there, so leave it to the general path.
      if (nestingDepth(text) > limits.canonicalDepthMax - 2) throw new Error('general');
      const bytes = utf8(text);
      payloadBytes += bytes.length;
      return merkleLeafHash(bytes);
    });
  } catch {
    return 'general';
  }
  // Size of the canonical submission, as the general check measures it, without encoding it again.
  const frame = canonicalize({ ...plain, payloads: [] }).length;
  if (frame + payloadBytes + plain.payloads.length - 1 > limits.submissionBytesMax) return 'general';
  const header: SubmissionHeader = {
    v: 1,
    submitter: plain.submitter,
    seq: plain.seq,
    created: plain.created,
    payloadCount: plain.payloads.length,
    payloadsRoot: toBase64Url(merkleRoot(leaves)),
  };
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(plain.signature, 'signature');
  } catch {
    return false;
  }
  if (!verify(key.key, submissionSigningBytes(header), signature)) return false;
  return plain.submitter === submitter && plain.seq === seq;
}
