import * as nodeCrypto from 'node:crypto';
import {
  canonicalBytes,
  type Ed25519KeyPair,
  type JsonValue,
  keyIdOf,
  publicKeyFromText,
  publicKeyToText,
  sha256,
  signSubmission,
  toBase64Url,
  verifySubmission,
} from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
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

/** The check every replica runs on every request: the plain-form fast path, else the general one. */
export function isAuthenticRequest(request: ClientRequest): boolean {
  if (!(request.body instanceof Uint8Array)) return false;
  const text = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString(
    'utf8',
  );
  const fast = fastRequestCheck(text, request.submitter, request.seq);
  return fast === 'general' ? generalRequestCheck(text, request) : fast;
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

/**
 * SHA-256 of a body as base64url, the memo's key part: `crypto.hash` (Node 20.12+) in one call,
 * about a third of `createHash` + copy + base64 for a 1 KB body (every replica pays it per request).
 */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;
function bodyHashText(body: Uint8Array): string {
  return oneShotHash !== undefined ? oneShotHash('sha256', body, 'base64url') : toBase64Url(sha256(body));
}

/** Verdicts remembered per replica process; a request is seen at propose and again in pre-prepare. */
export const requestVerdictCacheEntriesMax = 100_000;

/**
 * `isAuthenticRequest` with a bounded cache keyed by (submitter, seq, body hash), so a request is
 * verified once per replica even though several code paths ask (HTTP intake, propose, pre-prepare,
 * view change).
 */
export function cachedRequestVerifier(
  entriesMax = requestVerdictCacheEntriesMax,
): (request: ClientRequest) => boolean {
  const verdicts = new Map<string, boolean>();
  // The same body object asked about again (the primary checks a request at HTTP intake and again
  // when the core takes it) is answered without hashing it; bodies are never mutated once received.
  const byBody = new WeakMap<Uint8Array, { submitter: string; seq: number; verdict: boolean }>();
  return (request) => {
    const seen = byBody.get(request.body);
    if (seen !== undefined && seen.submitter === request.submitter && seen.seq === request.seq) {
      return seen.verdict;
    }
    const key = `${request.submitter}\u0000${request.seq}\u0000${bodyHashText(request.body)}`;
    const known = verdicts.get(key);
    const verdict = known ?? isAuthenticRequest(request);
    if (known === undefined) {
      if (verdicts.size >= entriesMax) verdicts.delete(verdicts.keys().next().value!);
      verdicts.set(key, verdict);
    }
    byBody.set(request.body, { submitter: request.submitter, seq: request.seq, verdict });
    return verdict;
  };
}
