import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from './bytes.ts';
import { sha256 } from './hash.ts';
import {
  merkleAllProofs,
  merkleInclusionProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  merkleTextLeaf,
  verifyMerkleInclusion,
} from './merkle.ts';

// RFC 6962 §2.1 written literally (recursive MTH and PATH), as the brute-force reference.
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Recursive MTH over leaves[start, end), memoised per range so 300 sizes stay fast. */
function referenceTree(leaves: Uint8Array[]) {
  const memo = new Map<string, Uint8Array>();
  const root = (start: number, end: number): Uint8Array => {
    const n = end - start;
    if (n === 0) return sha256();
    if (n === 1) return leaves[start]!;
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (!hash) {
      const k = largestPowerOfTwoBelow(n);
      hash = merkleNodeHash(root(start, start + k), root(start + k, end));
      memo.set(key, hash);
    }
    return hash;
  };
  const path = (m: number, start: number, end: number): Uint8Array[] => {
    const n = end - start;
    if (n <= 1) return [];
    const k = largestPowerOfTwoBelow(n);
    if (m < k) return [...path(m, start, start + k), root(start + k, end)];
    return [...path(m - k, start + k, end), root(start, start + k)];
  };
  return { root: () => root(0, leaves.length), path: (m: number) => path(m, 0, leaves.length) };
}

function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => merkleLeafHash(new TextEncoder().encode(`leaf ${i}`)));
}

describe('Merkle tree (RFC 6962)', () => {
  it('hashes the empty tree as SHA-256 of nothing', () => {
    expect(toHex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches the recursive definition for roots and every path, sizes 1..300', { timeout: 60_000 }, () => {
    for (let n = 1; n <= 300; n++) {
      const leaves = leavesOf(n);
      const reference = referenceTree(leaves);
      const root = merkleRoot(leaves);
      expect(toHex(root)).toBe(toHex(reference.root()));
      const all = merkleAllProofs(leaves);
      for (let m = 0; m < n; m++) {
        const path = all[m]!;
        expect(path.map(toHex).join(), `size ${n} leaf ${m}`).toBe(reference.path(m).map(toHex).join());
        expect(verifyMerkleInclusion(leaves[m]!, { leafIndex: m, treeSize: n, path }, root)).toBe(true);
      }
      // The single-leaf form is O(n) per call; check it on the edges and the middle.
      for (const m of new Set([0, n >> 1, n - 1])) {
        expect(merkleInclusionProof(leaves, m).map(toHex).join()).toBe(all[m]!.map(toHex).join());
      }
    }
  });

  it('fails a tampered leaf, path element, index, tree size or root', () => {
    const leaves = leavesOf(13);
    const root = merkleRoot(leaves);
    const m = 6;
    const path = merkleInclusionProof(leaves, m);
    const good = { leafIndex: m, treeSize: 13, path };
    expect(verifyMerkleInclusion(leaves[m]!, good, root)).toBe(true);
    expect(verifyMerkleInclusion(leaves[m + 1]!, good, root)).toBe(false);
    for (let i = 0; i < path.length; i++) {
      const bad = path.map((p) => p.slice());
      bad[i]![0]! ^= 1;
      expect(verifyMerkleInclusion(leaves[m]!, { ...good, path: bad }, root)).toBe(false);
    }
    expect(verifyMerkleInclusion(leaves[m]!, { ...good, leafIndex: 7 }, root)).toBe(false);
    // A proof fixes the tree's shape, not its size (13 and 14 leaves give leaf 6 the same path), so
    // whoever signs a root must commit to the size too; a size that changes the shape fails.
    expect(verifyMerkleInclusion(leaves[m]!, { ...good, treeSize: 7 }, root)).toBe(false);
    expect(verifyMerkleInclusion(leaves[m]!, { ...good, treeSize: 6 }, root)).toBe(false);
    expect(verifyMerkleInclusion(leaves[m]!, { ...good, path: path.slice(1) }, root)).toBe(false);
    expect(verifyMerkleInclusion(leaves[m]!, { ...good, path: [...path, path[0]!] }, root)).toBe(false);
    const badRoot = root.slice();
    badRoot[31]! ^= 1;
    expect(verifyMerkleInclusion(leaves[m]!, good, badRoot)).toBe(false);
  });

  it('rejects malformed proofs without throwing', () => {
    const leaves = leavesOf(4);
    const root = merkleRoot(leaves);
    const path = merkleInclusionProof(leaves, 1);
    expect(verifyMerkleInclusion(leaves[1]!, { leafIndex: -1, treeSize: 4, path }, root)).toBe(false);
    expect(verifyMerkleInclusion(leaves[1]!, { leafIndex: 4, treeSize: 4, path }, root)).toBe(false);
    expect(verifyMerkleInclusion(leaves[1]!, { leafIndex: 1.5, treeSize: 4, path }, root)).toBe(false);
    expect(
      verifyMerkleInclusion(leaves[1]!, { leafIndex: 1, treeSize: 4, path: [new Uint8Array(3)] }, root),
    ).toBe(false);
  });

  it('cannot pass a node off as a leaf (second-preimage resistance by domain)', () => {
    const leaves = leavesOf(4);
    const root = merkleRoot(leaves);
    const inner = merkleNodeHash(leaves[0]!, leaves[1]!);
    // A two-leaf "tree" whose first leaf is the inner node would share the root without domains.
    expect(bytesEqual(merkleRoot([inner, merkleNodeHash(leaves[2]!, leaves[3]!)]), root)).toBe(true);
    expect(bytesEqual(merkleLeafHash(new Uint8Array([...leaves[0]!, ...leaves[1]!])), inner)).toBe(false);
  });

  it('hashes nodes and text leaves as RFC 6962 writes them (0x01 ‖ left ‖ right, 0x00 ‖ utf8)', () => {
    const leaves = leavesOf(5);
    const node = merkleNodeHash(leaves[0]!, leaves[1]!);
    expect(toHex(node)).toBe(toHex(sha256(Uint8Array.of(1), leaves[0]!, leaves[1]!)));
    expect(toHex(merkleNodeHash(node, leaves[2]!))).toBe(toHex(sha256(Uint8Array.of(1), node, leaves[2]!)));
    for (const text of ['leaf 0', '{"kind":"reading","v":"温室"}', '']) {
      const encoded = new TextEncoder().encode(text);
      expect(toHex(merkleTextLeaf(text).hash)).toBe(toHex(sha256(Uint8Array.of(0), encoded)));
      expect(toHex(merkleTextLeaf(text).hash)).toBe(toHex(merkleLeafHash(encoded)));
      expect(merkleTextLeaf(text).bytes).toBe(encoded.length);
    }
  });
});
