import { allFaultKinds } from './faults.ts';
import { describeGpbftScenario, gpbftScenarioForSeed } from './gpbft-scenarios.ts';
import { runGpbftSimulation } from './gpbft-sim.ts';
import { harshProfiles, harshScenario, scenarioForSeed } from './scenarios.ts';
import { runSimulation, type SimOptions } from './sim.ts';

/**
 * `pnpm sim [--mode pbft|gpbft] --seeds N --from S`: run a range of seeds; non-zero exit on any
 * violation. gpbft seeds use gpbft-scenarios.ts (layouts, byzantine groups); --profile is flat only.
 */
function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return value;
}

const modeAt = process.argv.indexOf('--mode');
const mode = modeAt < 0 ? 'pbft' : (process.argv[modeAt + 1] ?? '');
if (mode !== 'pbft' && mode !== 'gpbft') {
  console.error('--mode must be pbft or gpbft');
  process.exit(2);
}
const profileAt = process.argv.indexOf('--profile');
const profile = profileAt < 0 ? 'default' : (process.argv[profileAt + 1] ?? '');
if (profile !== 'default' && !(profile in harshProfiles)) {
  console.error(`--profile must be default or one of ${Object.keys(harshProfiles).join(', ')}`);
  process.exit(2);
}
const seeds = argument('seeds', 50);
const from = argument('from', 1);
let failures = 0;
let slowestHealTicks = 0;
const started = Date.now();
if (mode === 'gpbft') runGpbft();
for (let seed = from; seed < from + seeds; seed++) {
  const options: SimOptions = profile === 'default' ? scenarioForSeed(seed) : harshScenario(seed, profile);
  const result = runSimulation(options);
  if (!result.ok) {
    failures++;
    console.log(
      `FAIL seed=${seed} n=${options.n} faults=${options.faults.join(',')} byzantine=${[...(options.byzantine ?? new Map())].map(([r, b]) => `${r}:${b}`).join(',') || 'none'}`,
    );
    for (const v of result.violations) console.log(`  violation: ${v}`);
    console.log('  fault schedule:');
    for (const line of result.schedule) console.log(`    ${line}`);
    for (const line of result.hosts) console.log(`  ${line}`);
    console.log(`  rerun: pnpm sim --seeds 1 --from ${seed} --profile ${profile}`);
  } else {
    slowestHealTicks = Math.max(slowestHealTicks, result.ticks - (options.healTick ?? 300));
  }
  if (result.ok && process.argv.includes('--verbose')) {
    console.log(
      `ok seed=${seed} n=${options.n} ticks=${result.ticks} seqs=${result.stats.committedSeqs} maxView=${result.stats.maxView} msgs=${result.stats.messages}`,
    );
  }
}
console.log(
  `${seeds - failures}/${seeds} seeds passed (${allFaultKinds.length} fault kinds) in ${Date.now() - started} ms; ` +
    `slowest recovery: all requests executed everywhere ${slowestHealTicks} ticks after healing`,
);
process.exit(failures === 0 ? 0 : 1);

function runGpbft(): never {
  let failed = 0;
  let ticks = 0;
  const startedAt = Date.now();
  for (let seed = from; seed < from + seeds; seed++) {
    const options = gpbftScenarioForSeed(seed);
    const result = runGpbftSimulation(options);
    ticks = Math.max(ticks, result.ticks);
    if (result.ok) {
      if (process.argv.includes('--verbose'))
        console.log(
          `ok seed=${seed} ${describeGpbftScenario(options)} ticks=${result.ticks} msgs=${result.stats.messages}`,
        );
      continue;
    }
    failed++;
    console.log(`FAIL seed=${seed} ${describeGpbftScenario(options)}`);
    for (const v of result.violations) console.log(`  violation: ${v}`);
    for (const line of result.schedule) console.log(`    ${line}`);
    for (const line of result.hosts) console.log(`  ${line}`);
    console.log(`  rerun: pnpm sim --mode gpbft --seeds 1 --from ${seed}`);
  }
  console.log(
    `gpbft: ${seeds - failed}/${seeds} seeds passed (${allFaultKinds.length} fault kinds) in ${Date.now() - startedAt} ms; longest run ${ticks} ticks`,
  );
  process.exit(failed === 0 ? 0 : 1);
}
