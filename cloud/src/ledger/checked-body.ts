import type { SubmitRequest } from '@suyuan/shared';
import { plainReadingRequest } from './plain-request.ts';
import type { CheckedDerivation } from './submission-digest.ts';

/**
 * A canonical request body read from what the replica's own request check derived from its bytes
 * (`CheckedDerivation`: the frame's texts and numbers, where each payload is), in pieces, instead
 * of decoding the ~1 MB body into one string and `JSON.parse`-ing it. On this VM a string over
 * ~128 KiB lives in V8's large-object space, a fresh mapping each time: making one from a 1 MB
 * body cost 5–7 ms of page faults, 64 KiB ones 0.1–0.2 ms per MB. So the payloads are decoded and
 * parsed `payloadPieceBytesMax` at a time, whole payloads per piece.
 *
 * The value is what `JSON.parse` of the whole body gives: the body is canonical (the check proved
 * it with a scan of every byte, request-frame.ts), so it is the template `{"publicKey":…,
 * "submission":{"created":…,"payloads":[…],"seq":…,"signature":…,"submitter":…}}` around the
 * frame's values, and `JSON.parse` of a value's own text does not depend on what surrounds it.
 * The same members in the same order, the same payload values (checked-body.test.ts compares them
 * for reading and event batches).
 */

/**
 * Most bytes of payload text decoded and parsed at once: well under V8's large-object threshold
 * (~128 KiB), so each piece's string is a young-generation object; a payload longer than this is
 * a piece of its own.
 */
export const payloadPieceBytesMax = 32 * 1024;

/**
 * Where a piece is written with its brackets to be decoded: reused (a piece's text is made and
 * parsed before the next is written), so the piece is not decoded and then copied again to join
 * the brackets. A payload longer than this is joined to its brackets as a string.
 */
const pieceScratch = Buffer.allocUnsafeSlow(payloadPieceBytesMax + 2);

/** `[` + body[start, end) + `]` as a string. */
function pieceText(view: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length + 2 > pieceScratch.length) return `[${view.toString('utf8', start, end)}]`;
  pieceScratch[0] = 0x5b;
  view.copy(pieceScratch, 1, start, end);
  pieceScratch[length + 1] = 0x5d;
  return pieceScratch.toString('utf8', 0, length + 2);
}

/** The payloads of the body, parsed piece by piece: each element as `JSON.parse` of its span. */
export function payloadsFromSpans(body: Uint8Array, spans: readonly number[]): unknown[] {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const count = spans.length / 2;
  const payloads: unknown[] = new Array(count);
  let i = 0;
  while (i < count) {
    const start = spans[2 * i]!;
    let j = i + 1;
    while (j < count && spans[2 * j + 1]! - start <= payloadPieceBytesMax) j++;
    // Payloads i..j-1 with the commas between them: a JSON array's contents.
    const piece = JSON.parse(pieceText(view, start, spans[2 * j - 1]!)) as unknown[];
    for (let k = 0; k < piece.length; k++) payloads[i + k] = piece[k];
    i = j;
  }
  return payloads;
}

/** The parsed body, member for member as `JSON.parse` of the whole body makes it. */
export function bodyFromChecked(body: Uint8Array, checked: CheckedDerivation): unknown {
  const { header } = checked;
  return {
    publicKey: checked.publicKey,
    submission: {
      created: header.created,
      payloads: payloadsFromSpans(body, checked.payloadSpans),
      seq: header.seq,
      signature: checked.signature,
      submitter: header.submitter,
    },
  };
}

/** How a reading payload's canonical text starts (members in code-unit order: kind, reading). */
const READING_PAYLOAD = Buffer.from('{"kind":"reading","reading":', 'latin1');

/**
 * The body as a plain reading batch (`plainReadingRequest` of it), or null: anything else (an
 * event batch, a body the schema refuses) is decoded whole and goes through zod as before. A body
 * whose first payload is not a reading cannot be a plain batch, so it is not read in pieces first.
 */
export function plainFromChecked(body: Uint8Array, checked: CheckedDerivation): SubmitRequest | null {
  const first = checked.payloadSpans[0];
  if (first === undefined || first + READING_PAYLOAD.length > body.byteLength) return null;
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (view.compare(READING_PAYLOAD, 0, READING_PAYLOAD.length, first, first + READING_PAYLOAD.length) !== 0)
    return null;
  return plainReadingRequest(bodyFromChecked(body, checked));
}
