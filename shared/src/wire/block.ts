import { z } from 'zod';

/**
 * The ledger's verification data as it travels: block headers, transaction inclusion proofs and
 * block proofs (state certificate + Merkle path from the header hash to the certified state digest).
 * Bytes travel as unpadded base64url. The ledger (cloud), the receipt checker (edge) and the offline
 * trace verifier (shared/trace, also in a browser) all read these one definitions.
 */

const b64 = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), `${bytes} bytes as base64url`);

/** A 32-byte hash as unpadded base64url (43 characters). */
export const hashText = b64(32);
/** An Ed25519 signature as unpadded base64url (86 characters). */
export const signatureText = b64(64);
/** A raw Ed25519 public key as unpadded base64url (43 characters). */
export const publicKeyText = b64(32);

/** Chain names: configuration, not code (`registry`, `trace`, `telemetry`, or more). */
export const chainName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a chain name is 1-32 of a-z 0-9 - starting with a letter');

export const chainPointerSchema = z.object({ height: z.number().int().min(1), hash: hashText }).strict();

/**
 * Block header. `headerHash = SHA-256(0x02 ‖ RFC 8785 canonical JSON of the header)`.
 * - `prevHash`: the previous block's header hash on the same chain; 32 zero bytes at height 1.
 * - `txRoot`: RFC 6962 Merkle root of `merkleLeafHash(canonical(tx))` over the block's transactions.
 * - `time`: the deterministic block time (see docs/ledger.md), ms since the epoch.
 * - `batchSeq`: the consensus sequence number of the batch that produced this block.
 * - `anchors`: every other chain's head (height, header hash) when this block was made.
 */
export const blockHeaderSchema = z
  .object({
    v: z.literal(1),
    chain: chainName,
    height: z.number().int().min(1),
    prevHash: hashText,
    txRoot: hashText,
    txCount: z.number().int().min(1),
    time: z.number().int().min(0),
    batchSeq: z.number().int().min(1),
    anchors: z.record(chainName, chainPointerSchema),
  })
  .strict();
export type BlockHeader = z.infer<typeof blockHeaderSchema>;

export const replicaSignatureSchema = z
  .object({ replica: z.number().int().min(0), signature: signatureText })
  .strict();

/** StateCertificate on the wire (cloud/src/consensus/types.ts, bytes as base64url). */
export const stateCertificateSchema = z
  .object({
    seq: z.number().int().min(1),
    stateDigest: hashText,
    signatures: z.array(replicaSignatureSchema).max(1024),
  })
  .strict();
export type FlatStateCertificateWire = z.infer<typeof stateCertificateSchema>;

/**
 * A grouped-PBFT state certificate (mode gpbft, docs/consensus.md "Ledger proofs on grouped PBFT"):
 * the top level's attestations of (seq, stateDigest) by a top quorum of groups, each signature by a
 * member of the group it counts for. `groups` is the layout it was made under (global replica ids per
 * group); a verifier checks it against the layout it trusts. Tagged by `kind`; flat ones carry none.
 */
export const groupedStateCertificateSchema = z
  .object({
    kind: z.literal('grouped'),
    seq: z.number().int().min(1),
    stateDigest: hashText,
    groups: z
      .array(z.array(z.number().int().min(0)).min(1).max(1024))
      .min(1)
      .max(1024),
    signatures: z
      .array(
        z
          .object({
            group: z.number().int().min(0),
            replica: z.number().int().min(0),
            signature: signatureText,
          })
          .strict(),
      )
      .max(1024),
  })
  .strict();
export type GroupedStateCertificateWire = z.infer<typeof groupedStateCertificateSchema>;

/** Either kind: flat (no tag) or grouped (`kind: 'grouped'`). */
export const anyStateCertificateSchema = z.union([stateCertificateSchema, groupedStateCertificateSchema]);
export type StateCertificateWire = z.infer<typeof anyStateCertificateSchema>;

/**
 * Proof that a block header was certified: the state digest of batch `certificate.seq` is the
 * RFC 6962 Merkle root over `merkleLeafHash(headerHash)` of the headers that batch produced, in
 * chain-configuration order; `headerIndex`/`headerCount`/`headerPath` prove this header among them.
 */
export const blockProofSchema = z
  .object({
    header: blockHeaderSchema,
    headerIndex: z.number().int().min(0),
    headerCount: z.number().int().min(1),
    headerPath: z.array(hashText).max(64),
    certificate: anyStateCertificateSchema,
  })
  .strict();
export type BlockProof = z.infer<typeof blockProofSchema>;

/** Where a transaction is, and its RFC 6962 path to the header's `txRoot` (tree size = txCount). */
export const txLocationSchema = z
  .object({ chain: chainName, height: z.number().int().min(1), index: z.number().int().min(0) })
  .strict();
export type TxLocation = z.infer<typeof txLocationSchema>;

export const txProofSchema = z
  .object({
    location: txLocationSchema,
    txPath: z.array(hashText).max(64),
    block: blockProofSchema,
  })
  .strict();
export type TxProof = z.infer<typeof txProofSchema>;
