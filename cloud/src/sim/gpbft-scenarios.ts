import { SeededRng } from '@suyuan/shared';
import { assignGroups, type GroupLayout, groupFaultsTolerated, topFaultsTolerated } from '../gpbft/index.ts';
import { type Behavior, byzantineBehaviors } from './byzantine.ts';
import { allFaultKinds, type FaultKind } from './faults.ts';
import type { GpbftSimOptions } from './gpbft-sim.ts';
import { simKeys } from './keys.ts';

/** Requests per run (min + int(spread)) and when faults heal. */
export interface ScenarioSizes {
  requestsMin: number;
  requestsSpread: number;
  healTick: number;
}

/** What the CI seeds and `pnpm sim --mode gpbft` use. */
export const ciSizes: ScenarioSizes = { requestsMin: 4, requestsSpread: 5, healTick: 120 };
/** The first session-3 sweep (bigger runs); its failing seeds are kept in gpbft-regressions.test.ts. */
export const firstSweepSizes: ScenarioSizes = { requestsMin: 6, requestsSpread: 6, healTick: 150 };

/**
 * The layouts the gpbft seeds cycle through: [N, g]. g = 1 is flat PBFT run by the grouped node;
 * 16/2 and 16/3 (groups of 6/5/5) have a top level with f_t = 0.
 */
export const gpbftLayouts: readonly (readonly [number, number])[] = [
  [16, 4],
  [4, 1],
  [20, 5],
  [16, 4],
  [20, 4],
  [7, 1],
  [16, 2],
  [20, 4],
  [16, 3],
];

/** The session-3 cycle (before g = 2..3 were valid): the regression seeds name scenarios from it. */
export const sessionThreeLayouts: readonly (readonly [number, number])[] = [
  [16, 4],
  [4, 1],
  [20, 5],
  [16, 4],
  [20, 4],
  [7, 1],
];

/** The layout a seed's scenario uses: seeded assignment, so no replica chooses its group. */
export function gpbftLayoutFor(n: number, g: number, seed: number): GroupLayout {
  return assignGroups(simKeys(n).publicKeys, g, `sim-seed-${seed}`);
}

/**
 * The grouped-PBFT scenario a seed stands for (`pnpm sim --mode gpbft --seeds 1 --from S` reruns
 * it). Faults stay within tolerance as docs/consensus.md "Grouped PBFT" defines it:
 * - byzantine replicas sit in ONE group F (g ≤ 6 gives f_t = 1: at most one faulty virtual replica
 *   at the top), at most f_g of them; half the time one of them is F's first representative, and
 *   half the time F is group 0, whose representative is the top level's first primary. With g ≤ 3
 *   the top has f_t = 0 and any byzantine member makes its group faulty at the top (it may sign as
 *   its group), so those layouts get no byzantine replica: crashes and network faults only;
 * - crashes (restart from persisted records) hit only F's honest members while F's byzantine count
 *   leaves room (b + crashed ≤ f_g), or anyone (one at a time) when nobody is byzantine;
 * - network faults (loss, duplication, reordering, delay, partitions) are asynchrony, not faults;
 *   they make groups change representative, which keeps the group's top state since session 4
 *   (seeds 423/645/920 forked while representatives were amnesic; regressions now).
 */
export function gpbftScenarioForSeed(
  seed: number,
  sizes: ScenarioSizes = ciSizes,
  layouts: readonly (readonly [number, number])[] = gpbftLayouts,
): GpbftSimOptions {
  const rng = new SeededRng(seed ^ 0x6b9f);
  const [n, g] = layouts[seed % layouts.length]!;
  const layout = gpbftLayoutFor(n, g, seed);
  let faults: FaultKind[] = allFaultKinds.filter(() => rng.chance(0.5));
  const faultyGroup = rng.chance(0.5) ? 0 : rng.int(g);
  const members = layout.groups[faultyGroup]!;
  const fg = groupFaultsTolerated(members.length);
  const byzantine = new Map<number, Behavior>();
  // Drawn for every layout so g >= 4 scenarios stay what they were; f_t = 0 allows none.
  const byzantineDrawn = rng.int(fg + 1);
  const byzantineCount = topFaultsTolerated(g) === 0 && g > 1 ? 0 : byzantineDrawn;
  const candidates = rng.shuffle([...members]);
  if (byzantineCount > 0 && rng.chance(0.5)) {
    // The group's first representative (member 0) turns byzantine.
    candidates.splice(candidates.indexOf(members[0]!), 1);
    candidates.unshift(members[0]!);
  }
  for (const replica of candidates.slice(0, byzantineCount))
    byzantine.set(replica, rng.pick(byzantineBehaviors));
  const options: GpbftSimOptions = {
    seed,
    layout,
    faults,
    byzantine,
    requests: sizes.requestsMin + rng.int(sizes.requestsSpread),
    healTick: sizes.healTick,
  };
  if (byzantineCount > 0) {
    const room = fg - byzantineCount;
    if (room === 0) faults = faults.filter((k) => k !== 'crash');
    options.faults = faults;
    options.crashable = members.filter((m) => !byzantine.has(m));
    options.crashMax = Math.max(1, room);
  }
  return options;
}

export function describeGpbftScenario(options: GpbftSimOptions): string {
  const n = options.layout.groups.flat().length;
  const byz = [...(options.byzantine ?? new Map())].map(([r, b]) => `${r}:${b}`).join(',') || 'none';
  return `n=${n} g=${options.layout.groups.length} faults=${options.faults.join(',') || 'none'} byzantine=${byz}`;
}
