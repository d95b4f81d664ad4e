import { fromBase64Url } from '../bytes.ts';
import { attestationBytes, verifyStateCertificate } from '../certificate.ts';
import { verify } from '../ed25519.ts';
import type { GroupedStateCertificateWire, StateCertificateWire } from '../wire/block.ts';

/**
 * Offline check of a ledger state certificate of either kind, from the replica public keys (and, for
 * grouped PBFT, the group layout the verifier trusts). Dispatches on the `kind` tag:
 * - flat (no tag): 2f+1 of the N replicas attested (seq, stateDigest);
 * - grouped: the top level of grouped PBFT attested it: a top quorum of the g groups
 *   (max(2f_t+1, ⌈(g+f_t+1)/2⌉), f_t = ⌊(g−1)/3⌋, the consensus core's `byzantineQuorum(g)`), each
 *   counted once, by one signature of a member of that group (any member may speak for its group:
 *   docs/consensus.md "Ledger proofs on grouped PBFT"). The certificate names the layout it was made
 *   under; it must equal the trusted one, since a layout chosen by the prover could put a few
 *   colluding keys in different small groups.
 * Returns null when the certificate holds, else why not in words.
 */

/** The layout a verifier trusts: global replica ids per group (docs/replica.md "Grouped PBFT"). */
export type TrustedGroups = readonly (readonly number[])[];

/** Votes the top level of g groups needs (the consensus core's byzantineQuorum over g virtual replicas). */
export function groupedTopQuorum(g: number): number {
  const f = Math.floor((g - 1) / 3);
  return Math.max(2 * f + 1, Math.ceil((g + f + 1) / 2));
}

function sameLayout(a: TrustedGroups, b: TrustedGroups): boolean {
  return a.length === b.length && a.every((members, j) => sameIds(members, b[j]!));
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Every replica 0..n-1 in exactly one group. */
function isPartition(groups: TrustedGroups, n: number): boolean {
  const seen = new Set<number>();
  for (const members of groups) {
    for (const id of members) {
      if (!Number.isSafeInteger(id) || id < 0 || id >= n || seen.has(id)) return false;
      seen.add(id);
    }
  }
  return seen.size === n;
}

export function verifyGroupedStateCertificate(
  cert: GroupedStateCertificateWire,
  replicaPublicKeys: readonly Uint8Array[],
  trustedGroups: TrustedGroups | undefined,
): string | null {
  if (trustedGroups === undefined) return 'grouped certificate, but no trusted group layout to check it with';
  if (!isPartition(trustedGroups, replicaPublicKeys.length))
    return 'trusted group layout is not a partition of the replicas';
  if (!sameLayout(cert.groups, trustedGroups)) return 'grouped certificate names another group layout';
  const message = attestationBytes(cert.seq, fromBase64Url(cert.stateDigest));
  const needed = groupedTopQuorum(trustedGroups.length);
  const counted = new Set<number>();
  for (const { group, replica, signature } of cert.signatures) {
    if (counted.has(group)) continue;
    const members = trustedGroups[group];
    if (members === undefined || !members.includes(replica)) continue;
    const key = replicaPublicKeys[replica];
    if (key === undefined || !verify(key, message, fromBase64Url(signature))) continue;
    counted.add(group);
    if (counted.size >= needed) return null;
  }
  return `grouped certificate has ${counted.size} valid group signatures, needs ${needed}`;
}

/** Either certificate kind; flat ones ignore `trustedGroups`. Never throws on malformed text. */
export function verifyStateCertificateWire(
  cert: StateCertificateWire,
  replicaPublicKeys: readonly Uint8Array[],
  trustedGroups?: TrustedGroups,
): string | null {
  try {
    if ('kind' in cert) {
      if (cert.kind !== 'grouped') return 'unknown certificate kind';
      return verifyGroupedStateCertificate(cert, replicaPublicKeys, trustedGroups);
    }
    const signatures = cert.signatures.map((s) => ({
      replica: s.replica,
      signature: fromBase64Url(s.signature),
    }));
    const ok = verifyStateCertificate(
      { seq: cert.seq, stateDigest: fromBase64Url(cert.stateDigest), signatures },
      replicaPublicKeys,
    );
    return ok ? null : 'state certificate lacks a quorum of valid replica signatures';
  } catch (error) {
    return `malformed certificate: ${(error as Error).message}`;
  }
}
