import {
  type CompactReceipt,
  compactReceiptForm,
  receiptFormParam,
  type SubmissionStatus,
  statusWaitHeader,
  submitBodyBytesMax,
  toBase64Url,
} from '@suyuan/shared';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { prereadBytes } from '../http/preread-body.ts';
import { errorResponse, onApiError } from './http-errors.ts';
import type { LedgerReader } from './ledger-node.ts';
import { statusWaitMsMax } from './status-waits.ts';
import { takeInSubmission } from './submission-intake.ts';

/**
 * POST /v1/submissions and GET /v1/submissions/{submitter}/{seq} (contract: shared/src/wire/submit.ts).
 * Stateless checks (shape, key id, signature) answer 400 at once; registration, revocation, replay,
 * skew and the business rules are decided deterministically by every replica during execution, and
 * their verdict is the submission's status.
 *
 * A status GET may ask to be held (`?waitMs=N`, at most statusWaitMsMax): a pending submission is
 * then answered once it has its receipt (or is rejected), or after N ms. A replica that holds such
 * GETs says so in the `statusWaitHeader` header of its 202 and status answers, so a gateway asks at
 * once instead of after its poll delay; an older replica ignores the parameter and answers at once.
 */
export function submissionRoutes(reader: LedgerReader): Hono {
  const app = new Hono();
  app.onError(onApiError);

  app.post(
    '/v1/submissions',
    bodyLimit({
      maxSize: submitBodyBytesMax,
      onError: (c) => errorResponse(c, 413, 'limit.exceeded', `body is over ${submitBodyBytesMax} bytes`),
    }),
    async (c) => {
      advertiseStatusWaits(c, reader);
      // The bytes as received: a canonical body goes to consensus as it is (submission-intake.ts).
      const machine = reader.node.machine;
      // Pre-read off the socket by the replica's server (preread-body.ts), else read through hono.
      let bytes: Uint8Array;
      try {
        bytes = prereadBytes(c.env) ?? new Uint8Array(await c.req.arrayBuffer());
      } catch {
        return errorResponse(c, 400, 'body.malformed', 'body is not JSON'); // as before: unreadable
      }
      const intake = takeInSubmission(bytes, machine);
      if (!intake.ok) return errorResponse(c, 400, intake.code, intake.message);
      const { request, decoded } = intake;
      const s = decoded.request.submission;
      const hash = toBase64Url(decoded.bodyHash);

      const known = statusOf(reader, s.submitter, s.seq);
      const knownHash = knownBodyHash(reader, s.submitter, s.seq);
      if (knownHash !== undefined && knownHash !== hash) {
        return errorResponse(
          c,
          409,
          'submission.conflict',
          `${s.submitter}#${s.seq} was already used for another body`,
        );
      }
      if (known.status === 'committed' || known.status === 'rejected') return c.json(known, 200);
      if (known.status === 'pending' && reader.node.machine.chains.submission(s.submitter, s.seq)) {
        return c.json(known, 202); // executed, awaiting its certificate
      }
      machine.rememberDecoded(request, decoded); // before: the batch may execute before propose returns
      const result = await reader.node.propose(request);
      if (result === 'full')
        return errorResponse(c, 503, 'overloaded', 'ordering queue is full: retry later');
      if (result === 'rejected')
        return errorResponse(c, 400, 'submission.refused', 'ordering refused the request');
      reader.pending.add(s.submitter, s.seq, hash);
      return c.json({ status: 'pending' }, 202);
    },
  );

  app.get('/v1/submissions/:submitter/:seq', async (c) => {
    const submitter = c.req.param('submitter');
    const seqText = c.req.param('seq');
    if (!/^[A-Za-z0-9_-]{43}$/.test(submitter)) {
      return errorResponse(c, 400, 'query.invalid', 'submitter is a 43-character key id');
    }
    if (!/^\d{1,15}$/.test(seqText) || Number(seqText) < 1) {
      return errorResponse(c, 400, 'query.invalid', 'seq is a positive integer');
    }
    const waitText = c.req.query('waitMs');
    if (waitText !== undefined && !/^\d{1,9}$/.test(waitText)) {
      return errorResponse(c, 400, 'query.invalid', 'waitMs is a whole number of milliseconds');
    }
    // An unknown form is answered in full, as an older replica answers `?receipt=compact`.
    const compact = c.req.query(receiptFormParam) === compactReceiptForm;
    const seq = Number(seqText);
    const status = statusOf(reader, submitter, seq, compact);
    const waits = advertiseStatusWaits(c, reader);
    const waitMs = Math.min(Number(waitText ?? 0), statusWaitMsMax);
    if (status.status !== 'pending' || waits === undefined || waitMs === 0) return c.json(status);
    const executed = reader.node.machine.chains.submission(submitter, seq);
    const held = executed
      ? waits.forBatch(executed.batchSeq, waitMs)
      : waits.forRequest(submitter, seq, waitMs);
    if (held === null) return c.json(status); // statusWaitersMax held already: as before
    await held;
    return c.json(statusOf(reader, submitter, seq, compact));
  });

  return app;
}

/** Tells the client this replica holds status GETs (and for how long at most); returns the waits. */
function advertiseStatusWaits(c: Context, reader: LedgerReader) {
  const waits = reader.node.statusWaits;
  if (waits !== undefined) c.header(statusWaitHeader, String(statusWaitMsMax));
  return waits;
}

function knownBodyHash(reader: LedgerReader, submitter: string, seq: number): string | undefined {
  const outcome = reader.node.machine.chains.submission(submitter, seq);
  if (outcome) return toBase64Url(outcome.bodyHash);
  return reader.pending.bodyHash(submitter, seq);
}

/** A status whose committed receipt is compact (`?receipt=compact`); the rest as SubmissionStatus. */
export type CompactSubmissionStatus =
  | Exclude<SubmissionStatus, { status: 'committed' }>
  | { status: 'committed'; receipt: CompactReceipt };

/**
 * The status of (submitter, seq). `compact`: a committed receipt's reading batches come without
 * their readings (the submitter has them); a 4,096-reading batch's tx is ~1 MB to parse and
 * stringify again otherwise.
 */
export function statusOf(reader: LedgerReader, submitter: string, seq: number): SubmissionStatus;
export function statusOf(
  reader: LedgerReader,
  submitter: string,
  seq: number,
  compact: boolean,
): SubmissionStatus | CompactSubmissionStatus;
export function statusOf(
  reader: LedgerReader,
  submitter: string,
  seq: number,
  compact = false,
): SubmissionStatus | CompactSubmissionStatus {
  const outcome = reader.node.machine.chains.submission(submitter, seq);
  if (outcome) {
    reader.pending.delete(submitter, seq);
    if (outcome.status === 'rejected') {
      const receipt = reader.proofs.rejectionReceipt(submitter, seq);
      return receipt
        ? { status: 'rejected', reason: outcome.reason!, receipt }
        : { status: 'rejected', reason: outcome.reason! };
    }
    const receipt = compact
      ? reader.proofs.compactReceipt(submitter, seq)
      : reader.proofs.receipt(submitter, seq);
    return receipt ? { status: 'committed', receipt } : { status: 'pending' };
  }
  return reader.pending.bodyHash(submitter, seq) === undefined
    ? { status: 'unknown' }
    : { status: 'pending' };
}
