import {
  canonicalBytes,
  type Ed25519KeyPair,
  type JsonValue,
  keyIdOf,
  publicKeyFromText,
  publicKeyToText,
  signSubmission,
  verifySubmission,
} from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
import { type CheckedSubmission, canonicalRequestCheck } from './request-check-canonical.ts';
import { fastRequestCheck } from './request-check-fast.ts';

/**
 * What a client request's body is, and how every replica checks it (the `verifyRequest` the core
 * calls). The body is the UTF-8 canonical JSON (RFC 8785) of
 *
 *   { "publicKey": <base64url raw Ed25519 public key of the submitter>,
 *     "submission": <Submission from @suyuan/shared, signed by that key> }
 *
 * and it is authentic when: keyIdOf(publicKey) = request.submitter, submission.submitter =
 * request.submitter, submission.seq = request.seq, and verifySubmission(submission, publicKey)
 * holds (strict Ed25519 over the submission header, which commits to the payloads' Merkle root).
 * The key travels with the request because no registry exists yet at this stage; the ledger will
 * check that the key id is registered and not revoked, which this check cannot.
 */
export interface RequestBody {
  publicKey: string;
  submission: JsonValue;
}

export function signedRequest(
  keyPair: Ed25519KeyPair,
  seq: number,
  payloads: JsonValue[],
  created: number,
): ClientRequest {
  const submission = signSubmission({ submitter: keyPair.keyId, seq, created, payloads }, keyPair.privateKey);
  const body: RequestBody = {
    publicKey: publicKeyToText(keyPair.publicKey),
    submission: submission as unknown as JsonValue,
  };
  return { submitter: keyPair.keyId, seq, body: canonicalBytes(body as unknown as JsonValue) };
}

/** One check of a request: its verdict and, for a canonical body it accepted, what it derived. */
export interface RequestCheck {
  verdict: boolean;
  checked: CheckedSubmission | null;
}

const forged: RequestCheck = { verdict: false, checked: null };

/**
 * The check every replica runs on every request: canonical bodies (what our clients send) by a scan
 * of their bytes (request-check-canonical.ts), other bodies of the plain form by the plain-form path
 * (request-check-fast.ts), anything else by the general check. Same verdicts as the general check.
 */
export function checkRequest(request: ClientRequest): RequestCheck {
  if (!(request.body instanceof Uint8Array)) return forged;
  const canonical = canonicalRequestCheck(request.body, request.submitter, request.seq);
  if (canonical === false) return forged;
  if (canonical !== 'fallback') return { verdict: true, checked: canonical };
  const text = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString(
    'utf8',
  );
  const fast = fastRequestCheck(text, request.submitter, request.seq);
  return { verdict: fast === 'general' ? generalRequestCheck(text, request) : fast, checked: null };
}

export function isAuthenticRequest(request: ClientRequest): boolean {
  return checkRequest(request).verdict;
}

/** The general check: any JSON the schema accepts (request-check-fast.ts handles the plain form). */
export function generalRequestCheck(text: string, request: ClientRequest): boolean {
  try {
    const parsed = JSON.parse(text) as Partial<RequestBody>;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.publicKey !== 'string') return false;
    const publicKey = publicKeyFromText(parsed.publicKey);
    if (keyIdOf(publicKey) !== request.submitter) return false;
    const { submission } = verifySubmission(parsed.submission, publicKey);
    return submission.submitter === request.submitter && submission.seq === request.seq;
  } catch {
    return false;
  }
}

/** Verdicts remembered per replica process; a request is seen at propose and again in pre-prepare. */
export const requestVerdictCacheEntriesMax = 100_000;
/**
 * Bytes of bodies the verdict memo holds to compare a request asked about again: twice what can be
 * in flight (8 batches of at most 1 MiB each by default); the core holds most of them anyway.
 */
export const requestVerdictBodyBytesMax = 16 * 1024 * 1024;
/** Derivations of accepted requests kept for the application until it takes them at execution. */
export const checkedRequestEntriesMax = 1024;
/**
 * Bytes those hold (bodies, about 128 per leaf: a 32-byte array on the heap, and 16 per payload
 * span: two array elements of 8 bytes); oldest dropped first.
 */
export const checkedRequestBytesMax = 16 * 1024 * 1024;
const leafHeapBytes = 128;
const spanHeapBytes = 8;

export interface MemoisedRequestVerifier {
  (request: ClientRequest): boolean;
  /**
   * What this verifier derived when it accepted exactly these bytes, once (it is forgotten when
   * taken): the application uses it instead of deriving it again. Never anything a peer sent.
   */
  takeChecked(request: ClientRequest): CheckedSubmission | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** A bounded insertion-ordered map of entries holding a body each, with a byte budget. */
class BodyKeyedMap<V> {
  private readonly entries = new Map<string, { body: Uint8Array; value: V; bytes: number }>();
  private bytes = 0;
  private readonly entriesMax: number;
  private readonly bytesMax: number;
  constructor(entriesMax: number, bytesMax: number) {
    this.entriesMax = entriesMax;
    this.bytesMax = bytesMax;
  }

  /** The value stored under `key` for these very bytes. */
  get(key: string, body: Uint8Array): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && sameBytes(entry.body, body) ? entry.value : undefined;
  }

  set(key: string, body: Uint8Array, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.bytesMax) return;
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.entriesMax || this.bytes + bytes > this.bytesMax)
    )
      this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { body, value, bytes });
    this.bytes += bytes;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/**
 * `checkRequest` with a bounded memo keyed by (submitter, seq) that holds the body it judged, so a
 * request is verified once per replica even though several code paths ask (HTTP intake, propose,
 * pre-prepare, view change, the ledger). A request asked about again is answered when its bytes
 * equal the remembered body's (the same object, or one memcmp): no hash of the body per request.
 * Another body under the same (submitter, seq) is checked on its own and replaces the entry.
 */
export function cachedRequestVerifier(
  entriesMax = requestVerdictCacheEntriesMax,
  bodyBytesMax = requestVerdictBodyBytesMax,
): MemoisedRequestVerifier {
  const verdicts = new BodyKeyedMap<boolean>(entriesMax, bodyBytesMax);
  const derived = new BodyKeyedMap<CheckedSubmission>(checkedRequestEntriesMax, checkedRequestBytesMax);
  const verifier = (request: ClientRequest): boolean => {
    if (!(request.body instanceof Uint8Array)) return false;
    const key = `${request.submitter}\u0000${request.seq}`;
    const known = verdicts.get(key, request.body);
    if (known !== undefined) return known;
    const { verdict, checked } = checkRequest(request);
    verdicts.set(key, request.body, verdict, request.body.byteLength);
    if (checked !== null)
      derived.set(
        key,
        request.body,
        checked,
        request.body.byteLength +
          leafHeapBytes * checked.leaves.length +
          spanHeapBytes * checked.payloadSpans.length,
      );
    return verdict;
  };
  verifier.takeChecked = (request: ClientRequest): CheckedSubmission | undefined => {
    const key = `${request.submitter}\u0000${request.seq}`;
    const checked = derived.get(key, request.body);
    if (checked !== undefined) derived.delete(key);
    return checked;
  };
  return verifier;
}
