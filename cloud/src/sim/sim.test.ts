import { describe, expect, it } from 'vitest';
import { type Behavior, byzantineBehaviors } from './byzantine.ts';
import { allFaultKinds, type FaultKind } from './faults.ts';
import { scenarioForSeed } from './scenarios.ts';
import { runSimulation, type SimOptions, type SimResult } from './sim.ts';

const timeout = 240_000;

function explain(r: SimResult): string {
  return [`seed ${r.seed}`, ...r.violations, ...r.schedule, ...r.hosts].join('\n');
}

/** Runs seeds [from, from + count) of one scenario family; every run must be safe and live. */
function runRange(from: number, count: number, make: (seed: number) => SimOptions): SimResult[] {
  const results: SimResult[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const result = runSimulation(make(seed));
    expect(result.ok, explain(result)).toBe(true);
    results.push(result);
  }
  return results;
}

function withByzantine(seed: number, n: number, behaviors: Behavior[]): Map<number, Behavior> {
  const map = new Map<number, Behavior>();
  behaviors.forEach((b, i) => {
    map.set((seed + i * 3) % n, b);
  });
  return map;
}

const seen = { faults: new Set<FaultKind>(), behaviors: new Set<Behavior>(), viewChanges: 0, restarts: 0 };
function note(options: SimOptions, results: SimResult[]): void {
  for (const k of options.faults) seen.faults.add(k);
  for (const b of options.byzantine?.values() ?? []) seen.behaviors.add(b);
  for (const r of results) {
    if (r.stats.maxView > 0) seen.viewChanges++;
    if (r.schedule.some((line) => line.includes('restart'))) seen.restarts++;
  }
}

describe('deterministic simulator: safety after every step, liveness after healing', () => {
  it('is deterministic: one seed, one result', () => {
    const options = scenarioForSeed(7);
    expect(runSimulation(options)).toEqual(runSimulation(options));
  });

  const families: { name: string; from: number; count: number; make: (seed: number) => SimOptions }[] = [
    {
      name: 'loss, duplication, reordering and delay (n=4)',
      from: 1,
      count: 60,
      make: (seed) => ({ seed, n: 4, faults: ['loss', 'duplicate', 'reorder', 'delay'], requests: 10 }),
    },
    {
      name: 'symmetric and asymmetric partitions with loss (n=4)',
      from: 101,
      count: 60,
      make: (seed) => ({ seed, n: 4, faults: ['partition', 'asymmetricPartition', 'loss'], requests: 10 }),
    },
    {
      name: 'crash and restart from persisted records, with delay and loss (n=4)',
      from: 201,
      count: 60,
      make: (seed) => ({ seed, n: 4, faults: ['crash', 'delay', 'loss', 'reorder'], requests: 10 }),
    },
    {
      name: 'one byzantine replica of every kind under all faults (n=4)',
      from: 301,
      count: 70,
      make: (seed) => ({
        seed,
        n: 4,
        faults: allFaultKinds,
        byzantine: withByzantine(seed, 4, [byzantineBehaviors[seed % byzantineBehaviors.length]!]),
        requests: 10,
      }),
    },
    {
      name: 'two byzantine replicas under all faults (n=7, f=2)',
      from: 401,
      count: 20,
      make: (seed) => ({
        seed,
        n: 7,
        faults: allFaultKinds,
        byzantine: withByzantine(seed, 7, [
          byzantineBehaviors[seed % byzantineBehaviors.length]!,
          byzantineBehaviors[(seed + 2) % byzantineBehaviors.length]!,
        ]),
        requests: 8,
      }),
    },
    {
      name: 'mixed scenarios as `pnpm sim` runs them',
      from: 501,
      count: 30,
      make: scenarioForSeed,
    },
  ];

  for (const family of families) {
    it(
      `${family.name}: seeds ${family.from}..${family.from + family.count - 1}`,
      () => {
        const results = runRange(family.from, family.count, family.make);
        note(family.make(family.from), results);
        for (let seed = family.from + 1; seed < family.from + family.count; seed++)
          note(family.make(seed), []);
      },
      timeout,
    );
  }

  it('covered every fault kind and byzantine behaviour, with view changes and restarts', () => {
    expect([...seen.faults].sort()).toEqual([...allFaultKinds].sort());
    expect([...seen.behaviors].sort()).toEqual([...byzantineBehaviors].sort());
    expect(seen.viewChanges).toBeGreaterThan(10);
    expect(seen.restarts).toBeGreaterThan(10);
  });
});

describe('planted bug: the simulator must catch it', () => {
  it('committing on 2f instead of 2f+1 commit votes is reported as a violation', () => {
    for (const seed of [1, 2, 3]) {
      const result = runSimulation({
        seed,
        n: 4,
        faults: ['loss'],
        requests: 6,
        config: { unsafeCommitQuorum: 2 },
      });
      expect(result.ok).toBe(false);
      expect(result.violations.join('\n')).toMatch(/commit certificate does not verify/);
    }
  });
});
