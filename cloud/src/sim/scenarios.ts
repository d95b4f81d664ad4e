import { SeededRng } from '@suyuan/shared';
import type { ConsensusConfig } from '../consensus/types.ts';
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

/**
 * Harsher profiles (`pnpm sim --profile NAME`): every fault kind, 30 requests, faults until t=400,
 * and limits that stress one mechanism each. They found the bugs kept in regressions.test.ts.
 */
export const harshProfiles: Record<string, { config: Partial<ConsensusConfig>; crashAllButOne?: boolean }> = {
  tinyWindow: { config: { checkpointInterval: 2, watermarkWindow: 4, batchRequestsMax: 2 } },
  shortTimeouts: { config: { viewChangeTimeoutTicks: 8, viewChangeTimeoutTicksMax: 64, retransmitTicks: 5 } },
  slowBatching: { config: { inflightBatchesMax: 1, batchDelayTicks: 5 } },
  crashHeavy: {
    config: {
      checkpointInterval: 2,
      watermarkWindow: 4,
      viewChangeTimeoutTicks: 10,
      viewChangeTimeoutTicksMax: 40,
      fetchBatchesMax: 1,
    },
    crashAllButOne: true,
  },
};

export function harshScenario(seed: number, profile: string): SimOptions {
  const chosen = harshProfiles[profile];
  if (chosen === undefined) throw new RangeError(`unknown profile ${profile}`);
  const base = scenarioForSeed(seed);
  const options: SimOptions = {
    ...base,
    faults: allFaultKinds,
    requests: 30,
    healTick: 400,
    config: chosen.config,
  };
  if (chosen.crashAllButOne === true) options.crashMax = base.n - 1;
  return options;
}
