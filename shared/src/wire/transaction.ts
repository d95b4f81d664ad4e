import { z } from 'zod';
import { readingSchema } from '../reading.ts';
import { chainName, hashText, publicKeyText, signatureText } from './block.ts';

/**
 * Ledger transactions: the leaves of a block's txRoot (`merkleLeafHash(canonical(tx))`).
 *
 * Each carries the submitter's signed submission header (shared/src/envelope.ts) and public key, so
 * anyone can check who signed it without the rest of the ledger:
 * - `payload` (registry and trace chains): one payload, with its RFC 6962 path to `payloadsRoot`,
 *   plus — for events — `links`: for every item/lot the event touches, where that item's previous
 *   event is and its tx leaf hash (null for the first). One item's history is a hash chain of its own.
 * - `readingBatch` (telemetry chain): all readings of one signed batch, with the per-device sequence
 *   gaps the ledger found (recorded, not rejected).
 * - `rejection` (the chain the submission targeted; registry when that is unknown): a submission
 *   every replica rejected, with its reason and the envelope hash of its body, so the verdict is in
 *   a block and covered by a commit certificate like any accepted transaction.
 */

export const signedHeaderSchema = z
  .object({
    submitter: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    seq: z.number().int().min(1),
    created: z.number().int().min(0),
    payloadCount: z.number().int().min(1),
    payloadsRoot: hashText,
    signature: signatureText,
    publicKey: publicKeyText,
  })
  .strict();
export type SignedHeader = z.infer<typeof signedHeaderSchema>;

export const itemLinkSchema = z
  .object({
    /** Canonical identity key of the item or lot (its canonical GS1 Digital Link). */
    item: z.string().min(1).max(2048),
    prev: z
      .object({
        chain: chainName,
        height: z.number().int().min(1),
        index: z.number().int().min(0),
        leafHash: hashText,
      })
      .strict()
      .nullable(),
  })
  .strict();
export type ItemLink = z.infer<typeof itemLinkSchema>;

export const payloadTxSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('payload'),
    signed: signedHeaderSchema,
    payloadIndex: z.number().int().min(0),
    payloadPath: z.array(hashText).max(64),
    payload: z.json(),
    links: z.array(itemLinkSchema),
  })
  .strict();
export type PayloadTx = z.infer<typeof payloadTxSchema>;

export const sequenceGapSchema = z
  .object({ deviceId: z.string(), after: z.number().int(), next: z.number().int() })
  .strict();
export type SequenceGap = z.infer<typeof sequenceGapSchema>;

export const readingBatchTxSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('readingBatch'),
    signed: signedHeaderSchema,
    payloads: z.array(z.object({ kind: z.literal('reading'), reading: readingSchema }).strict()),
    gaps: z.array(sequenceGapSchema),
  })
  .strict();
export type ReadingBatchTx = z.infer<typeof readingBatchTxSchema>;

export const rejectionTxSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('rejection'),
    submitter: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    seq: z.number().int().min(1),
    /** domainHash('envelope', body): canonical body when it parsed, else the raw body bytes. */
    bodyHash: hashText,
    reason: z
      .object({ code: z.string(), message: z.string(), payloadIndex: z.number().int().min(0).optional() })
      .strict(),
  })
  .strict();
export type RejectionTx = z.infer<typeof rejectionTxSchema>;

/** What an accepted submission becomes (the transactions of a receipt and of a trace). */
export const ledgerTxSchema = z.discriminatedUnion('kind', [payloadTxSchema, readingBatchTxSchema]);
export type LedgerTx = z.infer<typeof ledgerTxSchema>;

/** Everything a block's txRoot can cover: accepted transactions and rejections. */
export const blockTxSchema = z.discriminatedUnion('kind', [
  payloadTxSchema,
  readingBatchTxSchema,
  rejectionTxSchema,
]);
export type BlockTx = z.infer<typeof blockTxSchema>;
