import { submitRequestSchema } from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
import { plainFromChecked } from '../ledger/checked-body.ts';
import type { LedgerMachine } from '../ledger/ledger-machine.ts';
import { plainReadingRequest } from '../ledger/plain-request.ts';
import { type Decoded, decodeRequest } from '../ledger/submission-check.ts';
import { digestFromChecked, encodeSubmission, intakeDigest } from '../ledger/submission-digest.ts';
import { zodMessage } from './http-errors.ts';

/**
 * What POST /v1/submissions makes of a body's bytes: the request it hands to consensus and what it
 * decoded (kept for when the batch executes), or the refusal with its code.
 *
 * A body that is already its own canonical bytes (what a gateway writing the submission's members
 * in canonical order sends) is used as received: the replica's own request check
 * (request-check-canonical.ts, through the machine's memoised verifier) proves it canonical and
 * authentic, the digest comes from what that check derived (`digestFromChecked`), and these very
 * bytes go to consensus — no re-encoding of every reading, no second copy of the body. Any other
 * body (an older gateway, another client) is parsed and encoded as before. Both give consensus the
 * same bytes for the same submission (a canonical body's canonical encoding is itself), so every
 * decision and every refusal's wording is unchanged.
 */
export type Intake =
  | { ok: true; request: ClientRequest; decoded: Extract<Decoded, { ok: true }>; asReceived: boolean }
  | { ok: false; code: string; message: string };

/** What intake needs of the machine: its memoised verifier and what that derived (ledger-machine.ts). */
export type IntakeMachine = Pick<LedgerMachine, 'verifySignature' | 'takeChecked'>;

/** As `Request.text()` decodes: malformed bytes become U+FFFD and a leading BOM is dropped. */
const bodyDecoder = new TextDecoder();

export function takeInSubmission(bytes: Uint8Array, machine: IntakeMachine): Intake {
  return takeAsReceived(bytes, machine) ?? takeInParsed(bytes, machine);
}

/**
 * A canonical plain reading batch, taken in as received without decoding the body into one string:
 * (submitter, seq) are read from the body's fixed tail, the machine's verifier checks these bytes
 * by its canonical check, and the body is read in pieces from what that check derived
 * (ledger/checked-body.ts). Undefined for any other body, or one the verifier refuses: the parsed
 * path then decides and words the answer exactly as before (the verdict is memoised for the same
 * bytes, so a refused body is not checked twice).
 */
function takeAsReceived(bytes: Uint8Array, machine: IntakeMachine): Intake | undefined {
  const { verifySignature, takeChecked } = machine;
  if (verifySignature === undefined || takeChecked === undefined || !looksCanonical(bytes)) return undefined;
  const names = canonicalTail(bytes);
  if (names === null) return undefined;
  const request: ClientRequest = { submitter: names.submitter, seq: names.seq, body: bytes };
  if (!verifySignature(request)) return undefined;
  const checked = takeChecked(request);
  if (checked === undefined) return undefined;
  const body = plainFromChecked(bytes, checked);
  if (body === null) return undefined;
  const digest = digestFromChecked(bytes, checked);
  const decoded = decodeRequest(request, verifySignature, { body, plain: true, digest });
  if (!decoded.ok) return undefined;
  return { ok: true, request, decoded, asReceived: true };
}

/**
 * Any other body, decoded and parsed whole, then encoded: an older gateway's member order, events
 * and registry actions, and every body the verifier refuses (decided and worded as before).
 */
function takeInParsed(bytes: Uint8Array, machine: IntakeMachine): Intake {
  let raw: unknown;
  try {
    raw = JSON.parse(bodyDecoder.decode(bytes));
  } catch {
    return { ok: false, code: 'body.malformed', message: 'body is not JSON' };
  }
  // The zod-free check for plain reading batches first; it returns the parsed value itself, so a
  // canonical body's canonical encoding is exactly its bytes. Other forms go through zod, whose
  // copy may differ from the text (stripped members): they always take the encoded path.
  let body = plainReadingRequest(raw);
  const plain = body !== null;
  if (body === null) {
    const parsed = submitRequestSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, code: 'submission.invalid', message: zodMessage(parsed.error) };
    body = parsed.data;
  }
  const s = body.submission;
  // Any body here is encoded (a canonical one to its own bytes); a plain batch's digest reuses what
  // the replica's check derived from the encoded bytes, so each reading is hashed once.
  const encoded = encodeSubmission(body, plain);
  const request: ClientRequest = { submitter: s.submitter, seq: s.seq, body: encoded.bodyBytes };
  const digest = intakeDigest(request, body, plain, encoded, machine.verifySignature, machine.takeChecked);
  const decoded = decodeRequest(request, machine.verifySignature, { body, plain, digest });
  if (!decoded.ok) return { ok: false, code: decoded.code, message: decoded.message };
  return { ok: true, request, decoded, asReceived: false };
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HEAD = ascii('{"publicKey":"');
const HEAD_AFTER_KEY = ascii('","submission":{"created":');
const TAIL_BEFORE_SUBMITTER = ascii('","submitter":"');
const TAIL = ascii('"}}');
const SEQ = ascii('],"seq":');
const SIGNATURE = ascii(',"signature":"');
const keyTextLength = 43;
const signatureTextLength = 86;

function bytesAt(b: Uint8Array, at: number, lit: Uint8Array): boolean {
  if (at < 0 || at + lit.length > b.length) return false;
  for (let k = 0; k < lit.length; k++) if (b[at + k] !== lit[k]) return false;
  return true;
}

/**
 * The fixed text a canonical body starts and ends with (request-frame.ts has the whole template):
 * a cheap filter, not a proof — the request check proves it.
 */
export function looksCanonical(b: Uint8Array): boolean {
  const tail = b.length - TAIL.length;
  return (
    bytesAt(b, 0, HEAD) &&
    bytesAt(b, HEAD.length + keyTextLength, HEAD_AFTER_KEY) &&
    bytesAt(b, tail, TAIL) &&
    bytesAt(b, tail - keyTextLength - TAIL_BEFORE_SUBMITTER.length, TAIL_BEFORE_SUBMITTER)
  );
}

/**
 * (submitter, seq) read from a canonical body's fixed tail (`…],"seq":N,"signature":"…",
 * "submitter":"…"}}`), or null: what intake asks the verifier about before parsing anything. Not a
 * proof either: the verifier's canonical check refuses any body whose frame names others.
 */
export function canonicalTail(b: Uint8Array): { submitter: string; seq: number } | null {
  const submitterStart = b.length - TAIL.length - keyTextLength;
  const signatureEnd = submitterStart - TAIL_BEFORE_SUBMITTER.length;
  const seqEnd = signatureEnd - signatureTextLength - SIGNATURE.length;
  if (!bytesAt(b, submitterStart - TAIL_BEFORE_SUBMITTER.length, TAIL_BEFORE_SUBMITTER)) return null;
  if (!bytesAt(b, seqEnd, SIGNATURE) || !bytesAt(b, b.length - TAIL.length, TAIL)) return null;
  let seqStart = seqEnd;
  while (seqStart > 0 && seqEnd - seqStart < 17 && b[seqStart - 1]! >= 0x30 && b[seqStart - 1]! <= 0x39)
    seqStart--;
  const digits = seqEnd - seqStart;
  if (digits === 0 || digits > 16 || (digits > 1 && b[seqStart] === 0x30)) return null;
  if (!bytesAt(b, seqStart - SEQ.length, SEQ)) return null;
  const seq = Number(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', seqStart, seqEnd));
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  const submitter = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(
    'latin1',
    submitterStart,
    submitterStart + keyTextLength,
  );
  return { submitter, seq };
}
