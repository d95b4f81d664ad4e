import { type SubmissionStatus, submitBodyBytesMax, submitRequestSchema, toBase64Url } from '@suyuan/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { plainReadingRequest } from '../ledger/plain-request.ts';
import { decodeRequest } from '../ledger/submission-check.ts';
import { encodeSubmission, intakeDigest } from '../ledger/submission-digest.ts';
import { errorResponse, onApiError, zodMessage } from './http-errors.ts';
import type { LedgerReader } from './ledger-node.ts';

/**
 * POST /v1/submissions and GET /v1/submissions/{submitter}/{seq} (contract: shared/src/wire/submit.ts).
 * Stateless checks (shape, key id, signature) answer 400 at once; registration, revocation, replay,
 * skew and the business rules are decided deterministically by every replica during execution, and
 * their verdict is the submission's status.
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
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch {
        return errorResponse(c, 400, 'body.malformed', 'body is not JSON');
      }
      // Parsed and encoded once: the canonical bytes go to consensus, and the decoded body waits
      // in the machine for its batch (the zod-free check for plain reading batches first).
      let body = plainReadingRequest(raw);
      const plain = body !== null;
      if (body === null) {
        const parsed = submitRequestSchema.safeParse(raw);
        if (!parsed.success) return errorResponse(c, 400, 'submission.invalid', zodMessage(parsed.error));
        body = parsed.data;
      }
      const s = body.submission;
      const encoded = encodeSubmission(body, plain);
      const request = { submitter: s.submitter, seq: s.seq, body: encoded.bodyBytes };
      const machine = reader.node.machine;
      // Each reading is hashed once here: by the replica's own request check, whose work is reused.
      const digest = intakeDigest(
        request,
        body,
        plain,
        encoded,
        machine.verifySignature,
        machine.takeChecked,
      );
      const decoded = decodeRequest(request, machine.verifySignature, { body, plain, digest });
      if (!decoded.ok) return errorResponse(c, 400, decoded.code, decoded.message);
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

  app.get('/v1/submissions/:submitter/:seq', (c) => {
    const submitter = c.req.param('submitter');
    const seqText = c.req.param('seq');
    if (!/^[A-Za-z0-9_-]{43}$/.test(submitter)) {
      return errorResponse(c, 400, 'query.invalid', 'submitter is a 43-character key id');
    }
    if (!/^\d{1,15}$/.test(seqText) || Number(seqText) < 1) {
      return errorResponse(c, 400, 'query.invalid', 'seq is a positive integer');
    }
    return c.json(statusOf(reader, submitter, Number(seqText)));
  });

  return app;
}

function knownBodyHash(reader: LedgerReader, submitter: string, seq: number): string | undefined {
  const outcome = reader.node.machine.chains.submission(submitter, seq);
  if (outcome) return toBase64Url(outcome.bodyHash);
  return reader.pending.bodyHash(submitter, seq);
}

export function statusOf(reader: LedgerReader, submitter: string, seq: number): SubmissionStatus {
  const outcome = reader.node.machine.chains.submission(submitter, seq);
  if (outcome) {
    reader.pending.delete(submitter, seq);
    if (outcome.status === 'rejected') {
      const receipt = reader.proofs.rejectionReceipt(submitter, seq);
      return receipt
        ? { status: 'rejected', reason: outcome.reason!, receipt }
        : { status: 'rejected', reason: outcome.reason! };
    }
    const receipt = reader.proofs.receipt(submitter, seq);
    return receipt ? { status: 'committed', receipt } : { status: 'pending' };
  }
  return reader.pending.bodyHash(submitter, seq) === undefined
    ? { status: 'unknown' }
    : { status: 'pending' };
}
