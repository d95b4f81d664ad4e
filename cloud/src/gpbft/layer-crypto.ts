import { commitVoteBytes, concatBytes, domainHash, toHex, utf8 } from '@suyuan/shared';
import { countValidSignatures } from '../consensus/quorum.ts';
import type { ClientRequest, CommitCertificate, ConsensusCrypto } from '../consensus/types.ts';
import { decodeGroupDecision, groupOfSubmitter } from './decision.ts';
import { type GroupLayout, groupQuorum } from './layout.ts';

/**
 * The two layers' injected crypto. One real Ed25519 key per replica signs at both layers; the
 * layers cannot replay each other's votes because each layer (and each group) hashes its batches
 * under its own prefix, so batch digests — and every vote over them — differ.
 *
 * Top-level signatures are plain 64-byte Ed25519 signatures by whichever member currently represents
 * group j (the flat codec fixes signatures at 64 bytes and the core is not ours to change). The top
 * `verifyReplica(j, ...)` accepts a signature by ANY member of group j: the last member that verified
 * is tried first (one verify in the common case), the others after (at most m verifies). So a top
 * certificate checks from public keys alone, and a replaced representative continues as the same
 * virtual replica. The price: one byzantine member can speak for its group at the top (see docs).
 */
export interface LayerKeys {
  layout: GroupLayout;
  publicKeys: readonly Uint8Array[];
  sign: (message: Uint8Array) => Uint8Array;
  /** Strict Ed25519 verify by a global replica id (callers may memoise). */
  verifyGlobal: (replica: number, message: Uint8Array, signature: Uint8Array) => boolean;
}

const groupPrefix = (group: number): Uint8Array => utf8(`suyuan-gpbft-group-${group}\n`);
const topPrefix = utf8('suyuan-gpbft-top\n');

export function groupDigest(group: number, bytes: Uint8Array): Uint8Array {
  return domainHash('consensusBatch', concatBytes(groupPrefix(group), bytes));
}

export function topDigest(bytes: Uint8Array): Uint8Array {
  return domainHash('consensusBatch', concatBytes(topPrefix, bytes));
}

/** Crypto for group j's flat core: local member ids map to the members' global keys. */
export function groupCrypto(
  keys: LayerKeys,
  group: number,
  verifyClientRequest: (request: ClientRequest) => boolean,
): ConsensusCrypto {
  const members = keys.layout.groups[group]!;
  return {
    sign: keys.sign,
    verifyReplica: (local, message, signature) => {
      const global = Number.isInteger(local) ? members[local] : undefined;
      return global !== undefined && keys.verifyGlobal(global, message, signature);
    },
    verifyRequest: (request) => {
      try {
        return verifyClientRequest(request);
      } catch {
        return false;
      }
    },
    digest: (bytes) => groupDigest(group, bytes),
  };
}

/** Which member of each group signed last (first tried next time; also where top messages go). */
export class SignerHints {
  readonly hint: number[];
  constructor(layout: GroupLayout) {
    this.hint = layout.groups.map((members) => members[0]!);
  }
}

/** Verifies a top-level signature for virtual replica `group`; updates the hint on success. */
export function verifyAsGroup(
  keys: LayerKeys,
  hints: SignerHints,
  group: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const members = Number.isInteger(group) ? keys.layout.groups[group] : undefined;
  if (members === undefined) return false;
  const first = hints.hint[group]!;
  if (keys.verifyGlobal(first, message, signature)) return true;
  for (const member of members) {
    if (member === first) continue;
    if (keys.verifyGlobal(member, message, signature)) {
      hints.hint[group] = member;
      return true;
    }
  }
  return false;
}

/** Does this group certificate (a flat commit certificate of group j) verify? */
export function verifyGroupCertificate(
  keys: LayerKeys,
  group: number,
  certificate: CommitCertificate,
  requests: readonly ClientRequest[],
  encodeRequests: (requests: readonly ClientRequest[]) => Uint8Array,
): boolean {
  const members = keys.layout.groups[group];
  if (members === undefined) return false;
  // The digest is recomputed from the requests; the certificate's own digest field is not trusted.
  const digest = groupDigest(group, encodeRequests(requests));
  const needed = groupQuorum(members.length);
  const message = commitVoteBytes(certificate.view, certificate.seq, digest);
  const verify = (local: number, m: Uint8Array, s: Uint8Array): boolean => {
    const global = members[local];
    return global !== undefined && keys.verifyGlobal(global, m, s);
  };
  return (
    countValidSignatures(certificate.signatures, message, verify, { n: members.length, needed }) >= needed
  );
}

/** Crypto for the top core (virtual replica = group index). Top requests are certified group decisions. */
export function topCrypto(
  keys: LayerKeys,
  hints: SignerHints,
  encodeRequests: (requests: readonly ClientRequest[]) => Uint8Array,
): ConsensusCrypto {
  const memo = new Map<string, boolean>();
  const memoMax = 4096;
  return {
    sign: keys.sign,
    verifyReplica: (group, message, signature) => verifyAsGroup(keys, hints, group, message, signature),
    verifyRequest: (request) => {
      const group = groupOfSubmitter(request.submitter);
      if (group === null || group >= keys.layout.groups.length) return false;
      const key = `${request.submitter}|${request.seq}|${toHex(domainHash('consensusBatch', request.body))}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      let ok = false;
      try {
        const decision = decodeGroupDecision(request);
        ok = verifyGroupCertificate(keys, group, decision.certificate, decision.requests, encodeRequests);
      } catch {
        ok = false;
      }
      if (memo.size >= memoMax) memo.clear();
      memo.set(key, ok);
      return ok;
    },
    digest: topDigest,
  };
}

/** A top commit certificate checked from public keys alone: a top quorum of groups signed it. */
export function verifyTopCertificate(
  keys: LayerKeys,
  hints: SignerHints,
  certificate: CommitCertificate,
  topRequestsBytes: Uint8Array,
): boolean {
  const g = keys.layout.groups.length;
  if (toHex(topDigest(topRequestsBytes)) !== toHex(certificate.batchDigest)) return false;
  const needed = groupQuorum(g);
  const message = commitVoteBytes(certificate.view, certificate.seq, certificate.batchDigest);
  const verify = (group: number, m: Uint8Array, s: Uint8Array): boolean =>
    verifyAsGroup(keys, hints, group, m, s);
  return countValidSignatures(certificate.signatures, message, verify, { n: g, needed }) >= needed;
}

/**
 * Checks a final committed batch from public keys alone: with g = 1 a flat commit certificate over
 * the requests; otherwise a top certificate over the group decisions, each carrying its group
 * certificate, whose requests in order are exactly the batch's requests.
 */
export function verifyFinalBatch(
  keys: LayerKeys,
  hints: SignerHints,
  batch: {
    seq: number;
    requests: readonly ClientRequest[];
    topRequests: readonly ClientRequest[];
    certificate: CommitCertificate;
  },
  encodeRequests: (requests: readonly ClientRequest[]) => Uint8Array,
): boolean {
  const c = batch.certificate;
  if (c.seq !== batch.seq) return false;
  if (keys.layout.groups.length === 1) {
    const digest = domainHash('consensusBatch', encodeRequests(batch.requests));
    if (toHex(digest) !== toHex(c.batchDigest)) return false;
    const members = keys.layout.groups[0]!;
    const needed = groupQuorum(members.length);
    const message = commitVoteBytes(c.view, c.seq, digest);
    const verify = (local: number, m: Uint8Array, s: Uint8Array): boolean =>
      members[local] !== undefined && keys.verifyGlobal(members[local], m, s);
    return countValidSignatures(c.signatures, message, verify, { n: members.length, needed }) >= needed;
  }
  if (!verifyTopCertificate(keys, hints, c, encodeRequests(batch.topRequests))) return false;
  const flattened: ClientRequest[] = [];
  for (const request of batch.topRequests) {
    const decision = decodeGroupDecision(request);
    if (
      !verifyGroupCertificate(keys, decision.group, decision.certificate, decision.requests, encodeRequests)
    )
      return false;
    flattened.push(...decision.requests);
  }
  return toHex(encodeRequests(flattened)) === toHex(encodeRequests(batch.requests));
}
