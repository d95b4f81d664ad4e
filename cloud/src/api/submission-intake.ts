import { submitRequestSchema } from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
import type { LedgerMachine } from '../ledger/ledger-machine.ts';
import { plainReadingRequest } from '../ledger/plain-request.ts';
import { type Decoded, decodeRequest } from '../ledger/submission-check.ts';
import {
  digestFromChecked,
  encodeSubmission,
  intakeDigest,
  type SubmissionDigest,
} from '../ledger/submission-digest.ts';
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
  let raw: unknown;
  let text: string;
  try {
    text = bodyDecoder.decode(bytes);
    raw = JSON.parse(text);
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
  const received: ClientRequest = { submitter: s.submitter, seq: s.seq, body: bytes };
  const asReceived = plain ? digestAsReceived(received, text, machine) : undefined;
  let request = received;
  let digest: SubmissionDigest;
  if (asReceived !== undefined) digest = asReceived;
  else {
    const encoded = encodeSubmission(body, plain);
    request = { submitter: s.submitter, seq: s.seq, body: encoded.bodyBytes };
    // Each reading is hashed once here: by the replica's own request check, whose work is reused.
    digest = intakeDigest(request, body, plain, encoded, machine.verifySignature, machine.takeChecked);
  }
  const decoded = decodeRequest(request, machine.verifySignature, { body, plain, digest });
  if (!decoded.ok) return { ok: false, code: decoded.code, message: decoded.message };
  return { ok: true, request, decoded, asReceived: asReceived !== undefined };
}

/**
 * The digest of a body used as received, when the machine's verifier accepted these bytes by its
 * canonical check (it then hands out what it derived); undefined sends the body the encoded way,
 * where a refusal is decided and worded as before (for a canonical body the verdict is memoised
 * for the same bytes, so it is not checked twice). Only a body that looks canonical is offered to
 * the verifier, so a body of another form is not checked once as received and again encoded.
 */
function digestAsReceived(
  request: ClientRequest,
  text: string,
  machine: IntakeMachine,
): SubmissionDigest | undefined {
  const { verifySignature, takeChecked } = machine;
  if (verifySignature === undefined || takeChecked === undefined) return undefined;
  if (!looksCanonical(request.body) || !verifySignature(request)) return undefined;
  const checked = takeChecked(request);
  return checked === undefined ? undefined : digestFromChecked(request.body, checked, text);
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HEAD = ascii('{"publicKey":"');
const HEAD_AFTER_KEY = ascii('","submission":{"created":');
const TAIL_BEFORE_SUBMITTER = ascii('","submitter":"');
const TAIL = ascii('"}}');
const keyTextLength = 43;

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
