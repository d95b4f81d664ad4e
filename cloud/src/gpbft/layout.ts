import { concatBytes, InputError, sha256, toHex, utf8 } from '@suyuan/shared';
import { byzantineQuorum } from '../consensus/config.ts';

/**
 * Who is in which group. Replica ids are global (0..N-1, the order of the cluster's public keys);
 * inside a group a member has a local id 0..m-1 (its position in `groups[j]`), which is the id its
 * group's flat PBFT core uses. At the top level group j is the virtual replica j.
 */
export interface GroupLayout {
  /** groups[j] = global replica ids of group j's members, in local-id order. */
  groups: readonly (readonly number[])[];
}

/** Where one replica sits in a layout. */
export interface Placement {
  group: number;
  member: number;
}

/** Smallest group that still tolerates one byzantine member (3f + 1 with f = 1). */
export const groupSizeMin = 4;

/**
 * Deterministic assignment from a public seed: rank replicas by SHA-256(seed ‖ publicKey) and deal
 * them round-robin into g groups. No node chooses its group: its rank is fixed by its key (registered
 * before the seed is published) and the seed. Group sizes differ by at most one.
 */
export function assignGroups(publicKeys: readonly Uint8Array[], g: number, publicSeed: string): GroupLayout {
  if (!Number.isSafeInteger(g) || g < 1)
    throw new InputError('config.invalid', `groups must be >= 1, got ${g}`);
  const ranked = publicKeys
    .map((key, id) => ({
      id,
      rank: toHex(sha256(concatBytes(utf8(`suyuan-gpbft-assign\n${publicSeed}\n`), key))),
    }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id));
  const groups: number[][] = Array.from({ length: g }, () => []);
  for (const [i, entry] of ranked.entries()) groups[i % g]!.push(entry.id);
  for (const members of groups) members.sort((a, b) => a - b);
  return validateLayout({ groups }, publicKeys.length);
}

/**
 * Checks an explicit (or assigned) layout: every replica in exactly one group, every group at least
 * `groupSizeMin` members (g = 1 is flat PBFT and needs n >= 4 like flat mode). Any g >= 1: the top
 * level is PBFT over g virtual replicas; g = 2..3 gives it f_t = 0 and quorum 2 (any two quorums
 * share a group), so it is safe only while no group is byzantine (docs/consensus.md "Grouped PBFT").
 */
export function validateLayout(layout: GroupLayout, n: number): GroupLayout {
  const invalid = (why: string): never => {
    throw new InputError('config.invalid', `gpbft layout: ${why}`);
  };
  const g = layout.groups.length;
  if (g < 1) invalid('need at least one group');
  const seen = new Set<number>();
  for (const [j, members] of layout.groups.entries()) {
    if (members.length < groupSizeMin)
      invalid(`group ${j} has ${members.length} members (< ${groupSizeMin})`);
    for (const id of members) {
      if (!Number.isSafeInteger(id) || id < 0 || id >= n)
        invalid(`group ${j} names replica ${id} (n = ${n})`);
      if (seen.has(id)) invalid(`replica ${id} is in two groups`);
      seen.add(id);
    }
  }
  if (seen.size !== n) invalid(`${n - seen.size} of ${n} replicas are in no group`);
  return { groups: layout.groups.map((members) => [...members]) };
}

export function placementOf(layout: GroupLayout, replica: number): Placement {
  for (const [group, members] of layout.groups.entries()) {
    const member = members.indexOf(replica);
    if (member >= 0) return { group, member };
  }
  throw new RangeError(`replica ${replica} is in no group`);
}

/** Votes a group of m members needs: the flat byzantine quorum, 2f+1 for m = 3f+1. */
export function groupQuorum(m: number): number {
  return byzantineQuorum(m);
}

/** Faulty groups the top level over g groups tolerates: f_t = floor((g - 1) / 3), 0 for g <= 3. */
export function topFaultsTolerated(g: number): number {
  return Math.floor((g - 1) / 3);
}

/** Byzantine members a group of m tolerates. */
export function groupFaultsTolerated(m: number): number {
  return Math.floor((m - 1) / 3);
}
