import { describe, expect, it } from 'vitest';
import { byzantineBehaviors } from './byzantine.ts';
import { allFaultKinds } from './faults.ts';
import { describeGpbftScenario, gpbftLayoutFor, gpbftScenarioForSeed } from './gpbft-scenarios.ts';
import { runGpbftSimulation } from './gpbft-sim.ts';

/** The CI range of grouped-PBFT seeds (`pnpm sim --mode gpbft --seeds 300 --from 1` runs the same). */
const ciSeedsFrom = 1;
const ciSeeds = 300;
const chunk = 50;

function failuresIn(from: number, count: number): string[] {
  const failures: string[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const options = gpbftScenarioForSeed(seed);
    const result = runGpbftSimulation(options);
    if (!result.ok)
      failures.push(`seed ${seed} ${describeGpbftScenario(options)}: ${result.violations.join('; ')}`);
  }
  return failures;
}

describe('grouped PBFT simulator: every fault kind within each group and the top level tolerance', () => {
  it('the CI seeds cover every fault kind, every byzantine kind, faulty representatives and top primaries, several layouts (g = 2 and 3 too)', () => {
    const kinds = new Set<string>();
    const behaviors = new Set<string>();
    const layouts = new Set<string>();
    let faultyRepresentative = 0;
    let faultyTopPrimary = 0;
    let crashWithByzantine = 0;
    let smallTopCrash = 0;
    for (let seed = ciSeedsFrom; seed < ciSeedsFrom + ciSeeds; seed++) {
      const options = gpbftScenarioForSeed(seed);
      for (const kind of options.faults) kinds.add(kind);
      const byzantine = options.byzantine ?? new Map();
      for (const behavior of byzantine.values()) behaviors.add(behavior);
      const g = options.layout.groups.length;
      layouts.add(`${options.layout.groups.flat().length}/${g}`);
      for (const [group, members] of options.layout.groups.entries()) {
        if (!byzantine.has(members[0]!)) continue;
        faultyRepresentative++;
        if (group === 0 && g > 1) faultyTopPrimary++;
      }
      if (byzantine.size > 0 && options.faults.includes('crash')) crashWithByzantine++;
      // Within tolerance: byzantine replicas in one group, at most f_g of them.
      const groups = new Set(
        [...byzantine.keys()].map((r) => options.layout.groups.findIndex((m) => m.includes(r))),
      );
      expect(groups.size).toBeLessThanOrEqual(1);
      // g = 2..3: f_t = 0, so no byzantine group, hence no byzantine replica at all.
      if (g === 2 || g === 3) expect(byzantine.size).toBe(0);
      if ((g === 2 || g === 3) && options.faults.includes('crash')) smallTopCrash++;
    }
    expect([...kinds].sort()).toEqual([...allFaultKinds].sort());
    expect([...behaviors].sort()).toEqual([...byzantineBehaviors].sort());
    expect(layouts).toEqual(new Set(['16/4', '20/5', '20/4', '16/2', '16/3', '4/1', '7/1']));
    expect(faultyRepresentative).toBeGreaterThan(20);
    expect(faultyTopPrimary).toBeGreaterThan(10);
    expect(crashWithByzantine).toBeGreaterThan(2);
    expect(smallTopCrash).toBeGreaterThan(20);
  });

  it('layouts come from the seeded assignment: same seed, same groups; no replica picks its own', () => {
    expect(gpbftLayoutFor(16, 4, 7)).toEqual(gpbftLayoutFor(16, 4, 7));
    expect(gpbftLayoutFor(16, 4, 7)).not.toEqual(gpbftLayoutFor(16, 4, 8));
  });

  for (let from = ciSeedsFrom; from < ciSeedsFrom + ciSeeds; from += chunk) {
    it(`seeds ${from}..${from + chunk - 1}: zero violations`, () => {
      expect(failuresIn(from, chunk)).toEqual([]);
    }, 300_000);
  }
});

describe('grouped PBFT planted bug: the simulator must catch it', () => {
  it('a top level that commits on 2f_t instead of 2f_t+1 votes is reported (final certificate does not verify)', () => {
    const layout = gpbftLayoutFor(16, 4, 1);
    for (const seed of [1, 2]) {
      const result = runGpbftSimulation({
        seed,
        layout,
        faults: ['loss'],
        requests: 6,
        unsafeTopCommitQuorum: 2,
      });
      expect(result.ok).toBe(false);
      expect(result.violations.join('\n')).toMatch(/final certificate does not verify/);
    }
  });

  /** Group 0's first representative (the first top primary) is byzantine and cuts every state
   * certificate it passes to its members down to one group's signature (gpbft-byzantine.ts). */
  const shortCertificateRun = (unsafeCertificateQuorum?: number) => {
    const layout = gpbftLayoutFor(16, 4, 1);
    return runGpbftSimulation({
      seed: 1,
      layout,
      faults: ['loss'],
      requests: 16,
      byzantine: new Map([[layout.groups[0]![0]!, 'forge']]),
      ...(unsafeCertificateQuorum === undefined ? {} : { unsafeCertificateQuorum }),
    });
  };

  it('members that accept a state certificate of one group (top quorum 3 of 4) are reported: it does not verify', () => {
    const result = shortCertificateRun(1);
    expect(result.ok).toBe(false);
    expect(result.violations.join('\n')).toMatch(
      /replica \d+ (holds|hands out) a state certificate for seq \d+ that does not verify: grouped certificate has 1 valid group signatures, needs 3/,
    );
  });

  it('without that bug the members refuse the short certificates (badCertificate) and the run passes', () => {
    const result = shortCertificateRun();
    expect(result.violations).toEqual([]);
    expect(result.hosts.join('\n')).toMatch(/"badCertificate":\d+/);
  });

  it('the same runs without the planted bug pass', () => {
    const layout = gpbftLayoutFor(16, 4, 1);
    for (const seed of [1, 2]) {
      const result = runGpbftSimulation({ seed, layout, faults: ['loss'], requests: 6 });
      expect(result.violations).toEqual([]);
    }
  });
});
