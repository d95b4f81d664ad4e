import {
  bytesEqual,
  canonicalBytes,
  domainHash,
  fromBase64Url,
  merkleLeafHash,
  type Receipt,
  receiptSchema,
  rootFromInclusionProof,
  type SubmissionHeader,
  verifyStateCertificate,
} from '@suyuan/shared';

/**
 * Checks a commit receipt offline, trusting only the replica public keys from the gateway config:
 * for every entry, the transaction carries our signed header (submitter, seq, payloads root), its
 * Merkle path leads to the block's txRoot, the block header's path leads to a state digest, and a
 * quorum of replicas signed that digest. A replica that lies about a commit fails here, and the
 * uploader retries elsewhere. Returns null when valid, else the reason.
 */
export function receiptProblem(
  raw: unknown,
  expected: SubmissionHeader,
  replicaPublicKeys: readonly Uint8Array[],
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
      problem = entryProblem(entry, expected, replicaPublicKeys);
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
  const txLeaf = merkleLeafHash(canonicalBytes(tx));
  const txRoot = rootFromInclusionProof(txLeaf, {
    leafIndex: proof.location.index,
    treeSize: header.txCount,
    path: proof.txPath.map((h) => fromBase64Url(h)),
  });
  if (txRoot === null || !bytesEqual(txRoot, fromBase64Url(header.txRoot))) {
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
  const certified = verifyStateCertificate(
    {
      seq: cert.seq,
      stateDigest: fromBase64Url(cert.stateDigest),
      signatures: cert.signatures.map((s) => ({ replica: s.replica, signature: fromBase64Url(s.signature) })),
    },
    replicaPublicKeys,
  );
  return certified ? null : 'receipt certificate lacks a quorum of valid replica signatures';
}
