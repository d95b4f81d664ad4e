import { z } from 'zod';
import { submissionSchema } from '../envelope.ts';
import { limits } from '../limits.ts';
import { readingSchema } from '../reading.ts';
import { publicKeyText, txProofSchema } from './block.ts';
import { registryActionSchema } from './registry.ts';
import { ledgerTxSchema, readingBatchTxSchema, rejectionTxSchema } from './transaction.ts';

/**
 * The HTTP contract between an edge gateway (or any API client) and a cloud replica for signed
 * submissions.
 *
 *   POST /v1/submissions          body SubmitRequest (≤ submitBodyBytesMax)
 *     202 {status:'pending'}                 accepted for ordering
 *     200 {status:'committed', receipt}      (submitter, seq) already committed: idempotent
 *     200 {status:'rejected', reason}        (submitter, seq) already rejected: idempotent
 *     400 {error:{code,message}}             malformed body, bad key, bad signature, mixed payloads
 *     409 {error:{code,message}}             same (submitter, seq) already seen with a different body
 *     413 {error:{code,message}}             body over submitBodyBytesMax
 *     503 {error:{code,message}}             replica overloaded: retry later or elsewhere
 *   GET /v1/submissions/{submitter}/{seq} → SubmissionStatus
 *   GET /v1/submissions/{submitter}/{seq}?waitMs=N  (since session 6) a pending submission's answer is
 *     held until it has its receipt or is rejected, or N ms passed (the replica caps N); a replica
 *     that holds such GETs sends the `statusWaitHeader` header (its cap in ms) on its 202 and status
 *     answers. Older replicas ignore the parameter and answer at once.
 *   GET /v1/submissions/{submitter}/{seq}?receipt=compact  (since session 7) a committed answer's
 *     reading-batch entries come without the readings (`CompactReceiptEntry`): the submitter holds
 *     what it signed and splices its own payload texts back in to check the tx leaf. Other entries,
 *     rejections and the POST's answers stay full. Older replicas ignore the parameter (full form).
 *
 * Payloads in one submission are either all readings (a telemetry reading batch, one transaction on
 * the `telemetry` chain, ≤ `limits.batchReadingsMax`) or all events/registry actions (one transaction
 * each on `trace`/`registry`, ≤ `limits.submissionPayloadsMax`).
 * A submission is accepted or rejected as a whole; a rejection carries the reason and payload index.
 */

/** Response header of a replica that holds status GETs with `?waitMs=`: its cap in ms. */
export const statusWaitHeader = 'suyuan-status-wait-ms-max';

/** Largest POST /v1/submissions body: the envelope limit plus room for the public key and framing. */
export const submitBodyBytesMax = limits.submissionBytesMax + 4096;

export const readingPayloadSchema = z.object({ kind: z.literal('reading'), reading: readingSchema }).strict();

/**
 * The shape an EPCIS 2.0 event must have on the wire; full validation (EPCIS schema, CBV bizSteps,
 * identifiers) runs in every replica's deterministic validation.
 */
export const epcisEventTypes = [
  'ObjectEvent',
  'AggregationEvent',
  'TransformationEvent',
  'TransactionEvent',
  'AssociationEvent',
] as const;
export const epcisEventShapeSchema = z.looseObject({
  type: z.enum(epcisEventTypes),
  eventTime: z.string().min(1).max(64),
});

export const eventPayloadSchema = z
  .object({ kind: z.literal('event'), event: epcisEventShapeSchema })
  .strict();

export const registryPayloadSchema = z
  .object({ kind: z.literal('registry'), action: registryActionSchema })
  .strict();

export const payloadSchema = z.discriminatedUnion('kind', [
  readingPayloadSchema,
  eventPayloadSchema,
  registryPayloadSchema,
]);
export type Payload = z.infer<typeof payloadSchema>;
export type EventPayload = z.infer<typeof eventPayloadSchema>;
export type RegistryPayload = z.infer<typeof registryPayloadSchema>;

/** A submission whose payloads are typed; all readings, or no readings. */
export const typedSubmissionSchema = submissionSchema
  .extend({ payloads: z.array(payloadSchema).min(1).max(limits.batchReadingsMax) })
  .refine(
    (s) => s.payloads.every((p) => p.kind === 'reading') || s.payloads.every((p) => p.kind !== 'reading'),
    { message: 'payloads are all readings (a reading batch) or none are', path: ['payloads'] },
  )
  .refine(
    (s) => s.payloads.length <= limits.submissionPayloadsMax || s.payloads.every((p) => p.kind === 'reading'),
    {
      message: `at most ${limits.submissionPayloadsMax} events or registry actions per submission (${limits.batchReadingsMax} readings)`,
      path: ['payloads'],
    },
  );

export const submitRequestSchema = z
  .object({
    /** Raw Ed25519 public key, base64url; keyIdOf(publicKey) must equal submission.submitter. */
    publicKey: publicKeyText,
    submission: typedSubmissionSchema,
  })
  .strict();
export type SubmitRequest = z.infer<typeof submitRequestSchema>;

/** One ledger transaction a submission produced, and which of its payloads it carries. */
export const receiptEntrySchema = z
  .object({
    payloadIndexes: z.array(z.number().int().min(0)).min(1),
    tx: ledgerTxSchema,
    proof: txProofSchema,
  })
  .strict();

/**
 * Everything needed to check a commit offline with the replica public keys: for each transaction,
 * the transaction as recorded, its location, Merkle path to the block's txRoot, the block header and
 * the block proof (state certificate + header path). `verifyReceipt` in shared/trace checks one.
 */
export const receiptSchema = z
  .object({
    submitter: z.string(),
    seq: z.number().int().min(1),
    entries: z.array(receiptEntrySchema).min(1),
  })
  .strict();
export type Receipt = z.infer<typeof receiptSchema>;

/** Query parameter and value of a status GET that asks for a compact receipt. */
export const receiptFormParam = 'receipt';
export const compactReceiptForm = 'compact';

/**
 * A reading-batch entry of a compact receipt: the transaction without its `payloads` member (the
 * entry says so with `payloadsOmitted`). The leaf is `canonical({...tx, payloads})` with the
 * submitter's own payloads at `payloadIndexes`, in that order.
 */
export const compactReceiptEntrySchema = z
  .object({
    payloadIndexes: z.array(z.number().int().min(0)).min(1),
    payloadsOmitted: z.literal(true),
    tx: readingBatchTxSchema.omit({ payloads: true }),
    proof: txProofSchema,
  })
  .strict();
export type CompactReceiptEntry = z.infer<typeof compactReceiptEntrySchema>;

/** A receipt whose reading-batch entries may be compact (the answer to `?receipt=compact`). */
export const compactReceiptSchema = z
  .object({
    submitter: z.string(),
    seq: z.number().int().min(1),
    entries: z.array(z.union([compactReceiptEntrySchema, receiptEntrySchema])).min(1),
  })
  .strict();
export type CompactReceipt = z.infer<typeof compactReceiptSchema>;

export const rejectionReasonSchema = z
  .object({ code: z.string(), message: z.string(), payloadIndex: z.number().int().min(0).optional() })
  .strict();
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

/** A rejection as recorded in a block: check it offline with `verifyTxProof`. */
export const rejectionReceiptSchema = z
  .object({
    submitter: z.string(),
    seq: z.number().int().min(1),
    tx: rejectionTxSchema,
    proof: txProofSchema,
  })
  .strict();
export type RejectionReceipt = z.infer<typeof rejectionReceiptSchema>;

export const submitResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending') }).strict(),
  z.object({ status: z.literal('committed'), receipt: receiptSchema }).strict(),
  z.object({ status: z.literal('rejected'), reason: rejectionReasonSchema }).strict(),
]);
export type SubmitResponse = z.infer<typeof submitResponseSchema>;

export const submissionStatusSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unknown') }).strict(),
  z.object({ status: z.literal('pending') }).strict(),
  z.object({ status: z.literal('committed'), receipt: receiptSchema }).strict(),
  z
    .object({
      status: z.literal('rejected'),
      reason: rejectionReasonSchema,
      /** The rejection's transaction with its proof, once its block is certified. */
      receipt: rejectionReceiptSchema.optional(),
    })
    .strict(),
]);
export type SubmissionStatus = z.infer<typeof submissionStatusSchema>;

/** Every 4xx/5xx body. `code` is stable (branch on it); `message` is for people. */
export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }).strict() })
  .strict();
export type ErrorBody = z.infer<typeof errorBodySchema>;
