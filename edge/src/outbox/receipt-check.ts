import {
  bytesEqual,
  canonicalBytes,
  domainHash,
  fromBase64Url,
  merkleLeafHash,
  rootFromInclusionProof,
  type StateCertificateWire,
  type SubmissionHeader,
  signedHeaderSchema,
  type TrustedGroups,
  txProofSchema,
  utf8,
  verifyStateCertificateWire,
} from '@suyuan/shared';
import { z } from 'zod';
import type { OwnPayloads } from './own-payloads.ts';
import { splicedTxLeafHash, txLeafHash } from './tx-leaf.ts';

/**
 * The receipt's shape as this check needs it. The transaction is checked only for its `signed`
 * header: the rest of it (every reading of the batch) is bound by its hash, which must lead to a
 * certified state digest, so a zod pass over each reading (a quarter of the gateway's CPU per
 * reading, with the status answer's) added nothing. Canonical encoding still refuses anything
 * JSON cannot carry.
 */
const receiptEntrySchema = z
  .object({
    payloadIndexes: z.array(z.number().int().min(0)).min(1),
    /** A compact receipt's reading batch (`?receipt=compact`): `tx` comes without `payloads`. */
    payloadsOmitted: z.literal(true).optional(),
    tx: z.looseObject({ signed: signedHeaderSchema }),
    proof: txProofSchema,
  })
  .strict();
const receiptSchema = z
  .object({
    submitter: z.string(),
    seq: z.number().int().min(1),
    entries: z.array(receiptEntrySchema).min(1),
  })
  .strict();
type Receipt = z.infer<typeof receiptSchema>;

/** Certificates already verified, per replica key set: one consensus batch certifies many submissions. */
export const verifiedCertificatesMax = 1024;
const verifiedCertificates = new WeakMap<readonly Uint8Array[], Set<string>>();

function certificateHolds(
  cert: StateCertificateWire,
  replicaPublicKeys: readonly Uint8Array[],
  replicaGroups: TrustedGroups | undefined,
): boolean {
  let known = verifiedCertificates.get(replicaPublicKeys);
  if (known === undefined) {
    known = new Set();
    verifiedCertificates.set(replicaPublicKeys, known);
  }
  // A grouped certificate (gpbft) is keyed with its layout and the trusted one: the verdict depends on both.
  const layout =
    'kind' in cert ? `${cert.kind}:${JSON.stringify([cert.groups, replicaGroups ?? null])}|` : '';
  const key = `${layout}${cert.seq}|${cert.stateDigest}|${cert.signatures.map((s) => `${s.replica}:${s.signature}`).join(',')}`;
  if (known.has(key)) return true;
  // Flat or grouped: the shared verifier dispatches on the tag (grouped needs the trusted layout).
  const holds = verifyStateCertificateWire(cert, replicaPublicKeys, replicaGroups) === null;
  if (!holds) return false; // only verdicts that hold are remembered
  if (known.size >= verifiedCertificatesMax) known.delete(known.values().next().value!);
  known.add(key);
  return true;
}

/**
 * Checks a commit receipt offline, trusting only the replica public keys from the gateway config:
 * for every entry, the transaction carries our signed header (submitter, seq, payloads root), its
 * Merkle path leads to the block's txRoot, the block header's path leads to a state digest, and a
 * quorum of replicas signed that digest (grouped PBFT: a top quorum of groups under the layout in
 * the gateway config, `cloud.replicaGroups`). A replica that lies about a commit fails here, and the
 * uploader retries elsewhere. Returns null when valid, else the reason.
 */
export function receiptProblem(
  raw: unknown,
  expected: SubmissionHeader,
  replicaPublicKeys: readonly Uint8Array[],
  replicaGroups?: TrustedGroups,
  own?: OwnPayloads,
): string | null {
  const parsed = receiptSchema.safeParse(raw);
  if (!parsed.success) return `receipt malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  const receipt: Receipt = parsed.data;
  if (receipt.submitter !== expected.submitter || receipt.seq !== expected.seq) {
    return `receipt is for ${receipt.submitter}#${receipt.seq}, not ${expected.submitter}#${expected.seq}`;
  }
  const covered = new Set<number>();
  for (const entry of receipt.entries) {
    let problem: string | null;
    try {
      problem = entryProblem(entry, expected, replicaPublicKeys, replicaGroups, own);
    } catch (error) {
      // A hostile replica can send bytes that do not even decode (non-canonical base64url).
      problem = `receipt undecodable: ${(error as Error).message}`;
    }
    if (problem !== null) return problem;
    for (const i of entry.payloadIndexes) covered.add(i);
  }
  for (let i = 0; i < expected.payloadCount; i++) {
    if (!covered.has(i)) return `receipt does not cover payload ${i}`;
  }
  return null;
}

type Entry = Receipt['entries'][number];

function entryProblem(
  entry: Entry,
  expected: SubmissionHeader,
  replicaPublicKeys: readonly Uint8Array[],
  replicaGroups: TrustedGroups | undefined,
  own: OwnPayloads | undefined,
): string | null {
  const { tx, proof } = entry;
  const signed = tx.signed;
  if (
    signed.submitter !== expected.submitter ||
    signed.seq !== expected.seq ||
    signed.payloadsRoot !== expected.payloadsRoot ||
    signed.payloadCount !== expected.payloadCount
  ) {
    return 'receipt transaction does not carry this submission';
  }
  const header = proof.block.header;
  if (proof.location.chain !== header.chain || proof.location.height !== header.height) {
    return 'receipt location does not match its block';
  }
  const txPath = {
    leafIndex: proof.location.index,
    treeSize: header.txCount,
    path: proof.txPath.map((h) => fromBase64Url(h)),
  };
  const blockTxRoot = fromBase64Url(header.txRoot);
  const reaches = (leaf: Uint8Array) => {
    const root = rootFromInclusionProof(leaf, txPath);
    return root !== null && bytesEqual(root, blockTxRoot);
  };
  if (entry.payloadsOmitted === true) {
    const problem = ownPayloadsProblem(entry, expected, own, reaches);
    if (problem !== null) return problem;
  } else if (!reaches(txLeafHash(tx))) {
    return 'receipt transaction path does not reach the block txRoot';
  }
  const headerLeaf = merkleLeafHash(domainHash('blockHeader', canonicalBytes(header)));
  const stateDigest = rootFromInclusionProof(headerLeaf, {
    leafIndex: proof.block.headerIndex,
    treeSize: proof.block.headerCount,
    path: proof.block.headerPath.map((h) => fromBase64Url(h)),
  });
  const cert = proof.block.certificate;
  if (stateDigest === null || !bytesEqual(stateDigest, fromBase64Url(cert.stateDigest))) {
    return 'receipt block path does not reach the certified state digest';
  }
  return certificateHolds(cert, replicaPublicKeys, replicaGroups)
    ? null
    : 'receipt certificate lacks a quorum of valid replica signatures';
}

/**
 * A compact entry: its tx leaf is rebuilt with the gateway's OWN payloads at `payloadIndexes`, so a
 * path that reaches the certified txRoot shows the ledger holds exactly what the gateway sent. The
 * usual entry covers every payload in order: the body's payloads array text is spliced in as it is;
 * if that misses (a body not written canonically), or the entry covers some payloads only, each
 * payload's canonical text is taken from the parsed body.
 */
function ownPayloadsProblem(
  entry: Entry,
  expected: SubmissionHeader,
  own: OwnPayloads | undefined,
  reaches: (leaf: Uint8Array) => boolean,
): string | null {
  const { tx } = entry;
  if (own === undefined) return 'compact receipt, but no payloads to check it against';
  if (tx.kind !== 'readingBatch' || 'payloads' in tx) {
    return 'compact receipt entry is not a reading batch without its payloads';
  }
  const indexes = entry.payloadIndexes;
  const all = indexes.length === expected.payloadCount && indexes.every((p, i) => p === i);
  const joined = all ? own.joined() : null;
  const leaf = joined === null ? null : splicedTxLeafHash(tx, joined);
  if (leaf !== null && reaches(leaf)) return null;
  const texts = own.canonicalTexts();
  if (indexes.some((p) => p >= texts.length)) return 'compact receipt names a payload we did not send';
  const picked = splicedTxLeafHash(tx, utf8(indexes.map((p) => texts[p]!).join(',')));
  return picked !== null && reaches(picked)
    ? null
    : 'receipt transaction with our payloads does not reach the block txRoot';
}

/**
 * The receipt as the outbox keeps it: reading batches without their payloads (the outbox has the
 * body), so a full-form answer from an older replica is stored as small as a compact one. Call it
 * on a receipt `receiptProblem` accepted.
 */
export function storedReceiptJson(raw: unknown): string {
  const receipt = raw as { entries: { payloadsOmitted?: true; tx: Record<string, unknown> }[] };
  const entries = receipt.entries.map((entry) => {
    if (entry.payloadsOmitted === true || entry.tx.kind !== 'readingBatch') return entry;
    const { payloads: _payloads, ...tx } = entry.tx;
    return { ...entry, payloadsOmitted: true, tx };
  });
  return JSON.stringify({ ...receipt, entries });
}
