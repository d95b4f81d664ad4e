import {
  domainHash,
  fromBase64Url,
  isSuyuanError,
  keyIdOf,
  LimitError,
  limits,
  type SubmitRequest,
  submissionSigningBytes,
  submitRequestSchema,
  verify,
} from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
import { plainFromChecked } from './checked-body.ts';
import { plainReadingRequest } from './plain-request.ts';
import type { Participant, Rejection, StateView } from './state.ts';
import {
  type CheckedDerivation,
  digestFromChecked,
  digestSubmission,
  type SubmissionDigest,
} from './submission-digest.ts';

/**
 * Checks on a whole submission before its payloads are validated: the body parses, names the same
 * (submitter, seq) as the request consensus ordered, its public key hashes to the submitter id, its
 * signature verifies over the payloads' Merkle root, and it was created within the skew bound of
 * the block time (never the local clock: every replica must decide alike).
 */

export type Decoded = ({ ok: true; request: SubmitRequest } & SubmissionDigest) | ({ ok: false } & Rejection);

const decoder = new TextDecoder('utf-8', { fatal: true });

export function bodyHashOf(body: Uint8Array): Uint8Array {
  return domainHash('envelope', body);
}

/** A body already parsed (and digested) by the caller: HTTP intake, which made the request's bytes. */
export interface KnownBody {
  body: SubmitRequest;
  plain: boolean;
  digest: SubmissionDigest;
}

/** The typed body: the zod-free check for plain reading batches, else `submitRequestSchema`. */
export function parseSubmitBody(
  raw: unknown,
): { ok: true; body: SubmitRequest; plain: boolean } | ({ ok: false } & Rejection) {
  const body = plainReadingRequest(raw);
  if (body !== null) return { ok: true, body, plain: true };
  const parsed = submitRequestSchema.safeParse(raw);
  if (parsed.success) return { ok: true, body: parsed.data, plain: false };
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.join('.') || '(root)' : '(root)';
  return { ok: false, code: 'submission.malformed', message: `${where}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Stateless checks (cacheable by the request's bytes). `verified`, when given, answers the
 * signature question for this exact request (a memoised verifier with the same semantics);
 * otherwise the signature is checked here. `checked`: what that verifier derived from these very
 * bytes (a canonical body it accepted); a plain reading batch is then read in pieces from it
 * (checked-body.ts: no ~1 MB string) and takes its header, leaves and payloads' bytes from it
 * instead of encoding and hashing every reading again. It is used only together with `verified`,
 * whose verdict still decides; any other body is decoded and parsed whole, as before.
 */
export function decodeRequest(
  request: ClientRequest,
  verified?: (request: ClientRequest) => boolean,
  known?: KnownBody,
  checked?: CheckedDerivation,
): Decoded {
  let body: SubmitRequest;
  let plain: boolean;
  // A canonical reading batch this replica's check accepted is read in pieces from what the check
  // derived (checked-body.ts), not decoded into one ~1 MB string; anything else is decoded whole.
  const fromCheck =
    known === undefined && verified && checked ? plainFromChecked(request.body, checked) : null;
  if (known) ({ body, plain } = known);
  else if (fromCheck !== null) {
    body = fromCheck;
    plain = true;
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(decoder.decode(request.body));
    } catch {
      return { ok: false, code: 'submission.malformed', message: 'body is not UTF-8 JSON' };
    }
    const parsed = parseSubmitBody(raw);
    if (!parsed.ok) return parsed;
    ({ body, plain } = parsed);
  }
  const s = body.submission;
  if (s.submitter !== request.submitter || s.seq !== request.seq) {
    return { ok: false, code: 'submission.mismatch', message: 'body names another (submitter, seq)' };
  }
  const publicKey = fromBase64Url(body.publicKey, 'public key');
  if (keyIdOf(publicKey) !== s.submitter) {
    return { ok: false, code: 'submission.keyMismatch', message: 'submitter is not the key id of publicKey' };
  }
  let digest: SubmissionDigest;
  try {
    digest =
      known?.digest ??
      (plain && verified && checked
        ? digestFromChecked(request.body, checked)
        : digestSubmission(body, plain));
  } catch (error) {
    // A payload JSON cannot carry canonically (a lone surrogate, nesting beyond the limit): its
    // signature cannot have been made over it.
    if (!isSuyuanError(error)) throw error;
    return { ok: false, code: 'submission.badSignature', message: error.message };
  }
  const authentic = verified ? verified(request) : signatureProblem(body, publicKey, digest);
  if (authentic !== true) {
    const message = authentic === false ? 'signature does not verify' : authentic;
    return { ok: false, code: 'submission.badSignature', message };
  }
  return { ok: true, request: body, ...digest };
}

/**
 * The standalone signature check (`verifySubmission`'s verdict and wording) from the digest: the
 * size limit, then Ed25519 over the header. True when it holds, else the reason.
 */
function signatureProblem(
  body: SubmitRequest,
  publicKey: Uint8Array,
  digest: SubmissionDigest,
): true | string {
  const s = body.submission;
  if (digest.submissionBytes > limits.submissionBytesMax) {
    return new LimitError('submissionBytesMax', limits.submissionBytesMax, digest.submissionBytes).message;
  }
  try {
    const signature = fromBase64Url(s.signature, 'signature');
    if (verify(publicKey, submissionSigningBytes(digest.header), signature)) return true;
  } catch (error) {
    if (!isSuyuanError(error)) throw error;
    return error.message;
  }
  return `submission ${s.submitter}#${s.seq}: signature does not verify`;
}

export type Authorised = { ok: true; participant: Participant; keyId: string } | ({ ok: false } & Rejection);

/** Stateful checks: registered, not revoked, and created within the skew bound of the block time. */
export function authorise(
  view: StateView,
  request: SubmitRequest,
  blockTimeMs: number,
  clockSkewMs: number,
): Authorised {
  const s = request.submission;
  const key = view.key(s.submitter);
  if (!key)
    return { ok: false, code: 'submission.unregistered', message: `key ${s.submitter} is not registered` };
  if (key.revokedReason !== null) {
    return {
      ok: false,
      code: 'submission.revoked',
      message: `key ${s.submitter} is revoked: ${key.revokedReason}`,
    };
  }
  const participant = view.participant(key.participantId);
  if (!participant) {
    return {
      ok: false,
      code: 'submission.unregistered',
      message: `participant ${key.participantId} is unknown`,
    };
  }
  if (Math.abs(s.created - blockTimeMs) > clockSkewMs) {
    return {
      ok: false,
      code: 'submission.skew',
      message: `created ${s.created} is more than ${clockSkewMs} ms from the block time ${blockTimeMs}`,
    };
  }
  return { ok: true, participant, keyId: s.submitter };
}

/**
 * The deterministic block time of a batch: the median `created` of its well-formed submissions, never
 * earlier than the previous batch's time. One outlier cannot move it; every replica computes the same.
 */
export function batchTime(decoded: readonly Decoded[], previousMs: number): number {
  const times = decoded
    .filter((d): d is Extract<Decoded, { ok: true }> => d.ok)
    .map((d) => d.request.submission.created)
    .sort((a, b) => a - b);
  if (times.length === 0) return previousMs;
  return Math.max(previousMs, times[Math.floor((times.length - 1) / 2)]!);
}
