import { bytesEqual } from './bytes.ts';
import { assert, InputError } from './errors.ts';
import { domainHash, domainHashPair, domainHashUtf8, HASH_BYTES, sha256 } from './hash.ts';
import { limits } from './limits.ts';

/**
 * Merkle tree hash, inclusion proofs and proof verification exactly as RFC 6962 §2.1 / RFC 9162 §2.1:
 * leaves hashed with a 0x00 prefix, nodes with 0x01, a tree of n leaves split at the largest power
 * of two below n. Building level by level and promoting an unpaired last node gives the same root and
 * the same audit paths as that recursive definition (the tests check this against it for n ≤ 300).
 */

export function merkleLeafHash(data: Uint8Array): Uint8Array {
  return domainHash('merkleLeaf', data);
}

/** `merkleLeafHash(utf8(text))` and the UTF-8 byte length of `text`, without encoding it apart. */
export function merkleTextLeaf(text: string): { hash: Uint8Array; bytes: number } {
  return domainHashUtf8('merkleLeaf', text);
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return domainHashPair('merkleNode', left, right);
}

/** RFC 6962: the hash of an empty tree is SHA-256 of the empty string. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256();
  let level = leafHashes.slice();
  while (level.length > 1) level = nextLevel(level);
  return level[0]!;
}

function nextLevel(level: readonly Uint8Array[]): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) up.push(merkleNodeHash(level[i]!, level[i + 1]!));
  if (level.length % 2 === 1) up.push(level[level.length - 1]!);
  return up;
}

/** Audit path for leaf `index`, siblings from the bottom of the tree to the top. */
export function merkleInclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  assert(
    Number.isInteger(index) && index >= 0 && index < leafHashes.length,
    `leaf index ${index} out of range`,
  );
  const path: Uint8Array[] = [];
  let level = leafHashes.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length) path.push(level[sibling]!);
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return path;
}

/** All audit paths at once, for a block writer that proves every transaction (O(n log n)). */
export function merkleAllProofs(leafHashes: readonly Uint8Array[]): Uint8Array[][] {
  const paths: Uint8Array[][] = leafHashes.map(() => []);
  let level = leafHashes.slice();
  let positions = leafHashes.map((_, i) => i);
  while (level.length > 1) {
    for (let leaf = 0; leaf < positions.length; leaf++) {
      const i = positions[leaf]!;
      const sibling = i % 2 === 1 ? i - 1 : i + 1;
      if (sibling < level.length) paths[leaf]!.push(level[sibling]!);
    }
    level = nextLevel(level);
    positions = positions.map((i) => Math.floor(i / 2));
  }
  return paths;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  path: readonly Uint8Array[];
}

/** RFC 9162 §2.1.3.2: recompute the root from the leaf hash and path; true only if it matches. */
export function verifyMerkleInclusion(
  leafHash: Uint8Array,
  proof: InclusionProof,
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafHash, proof);
  return computed !== null && bytesEqual(computed, root);
}

export function rootFromInclusionProof(leafHash: Uint8Array, proof: InclusionProof): Uint8Array | null {
  const { leafIndex, treeSize, path } = proof;
  if (!Number.isSafeInteger(treeSize) || !Number.isSafeInteger(leafIndex)) return null;
  if (leafIndex < 0 || leafIndex >= treeSize || path.length > limits.merkleProofLengthMax) return null;
  if (leafHash.length !== HASH_BYTES || path.some((p) => p.length !== HASH_BYTES)) return null;
  // Bit arithmetic on numbers beyond 2^31 is wrong in JS, so use bigint for the index walk.
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize - 1);
  let r = leafHash;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = merkleNodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Throwing form for callers that treat a bad proof from outside as an input error. */
export function assertMerkleInclusion(leafHash: Uint8Array, proof: InclusionProof, root: Uint8Array): void {
  if (!verifyMerkleInclusion(leafHash, proof, root)) {
    throw new InputError(
      'merkle.badProof',
      `inclusion proof for leaf ${proof.leafIndex} of ${proof.treeSize} fails`,
    );
  }
}
