import { SeededRng } from '@suyuan/shared';
import { type Behavior, byzantineBehaviors } from './byzantine.ts';
import { allFaultKinds, type FaultKind } from './faults.ts';
import type { SimOptions } from './sim.ts';

/**
 * The scenario a seed stands for: cluster size, fault kinds and byzantine replicas all derive from
 * the seed, so `pnpm sim --seeds 1 --from S` reproduces one run exactly.
 */
export function scenarioForSeed(seed: number): SimOptions {
  const rng = new SeededRng(seed ^ 0x5eed);
  const n = rng.chance(0.2) ? 7 : 4;
  const f = Math.floor((n - 1) / 3);
  const faults: FaultKind[] = allFaultKinds.filter(() => rng.chance(0.45));
  const byzantine = new Map<number, Behavior>();
  const byzantineCount = rng.int(f + 1);
  for (let i = 0; i < byzantineCount; i++) {
    byzantine.set(rng.int(n), rng.pick(byzantineBehaviors));
  }
  return { seed, n, faults, byzantine, requests: 8 + rng.int(10), healTick: 200 };
}
