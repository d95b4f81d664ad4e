import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../cluster/harness.ts';
import { chartsOf } from './groups/charts.ts';
import { measureConstants } from './groups/constants.ts';
import { layoutValid } from './groups/cost-model.ts';
import { requestBytes, requestsPerBatch, type SimPoint, simPoint } from './groups/experiments.ts';
import { type RealRun, realRun } from './groups/real.ts';
import { scalePoint } from './groups/scale.ts';
import { type GroupsResult, renderReport } from './groups-report.ts';

/**
 * `pnpm bench:groups [--quick] [--out file] [--real] [--skip-real]`: the grouped-PBFT scale experiment
 * of issue #4. (1) measures the cost-model constants on this machine; (2) drives the real flat and
 * grouped cores in a deterministic discrete-event harness with counting crypto, N = 100 over g, and
 * N = 16…196 at the best g; (3) real replica processes at N = 16 for g = 1, 2, 4. Writes the JSON,
 * the chart SVGs (docs/images/groups-*.svg on a full run) and prints the report's markdown.
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    /** Real multi-process runs: on by default in a full run, off in --quick unless --real. */
    real: { type: 'boolean', default: false },
    'skip-real': { type: 'boolean', default: false },
    'real-offered': { type: 'string', default: '1000' },
    'real-duration-ms': { type: 'string' },
  },
});
const quick = values.quick;
const sweepGroups = [1, 2, 4, 5, 10, 20, 25, 50];
const scaleSizes = quick ? [16, 36, 64, 100] : [16, 36, 64, 100, 196];
const sizes = quick ? { flat: 2, perGroup: 1 } : { flat: 16, perGroup: 2 };
const realGroups = [1, 2, 4];

async function realRuns(): Promise<{ runs: RealRun[] } | { skipped: string }> {
  const wanted = values['skip-real'] ? false : quick ? values.real : true;
  if (!wanted) return { skipped: quick ? '--quick (pass --real to include them)' : '--skip-real' };
  const runs: RealRun[] = [];
  const durationMs = Number(values['real-duration-ms'] ?? (quick ? 2000 : 10_000));
  for (const g of realGroups) {
    if (!layoutValid(16, g)) {
      runs.push({
        n: 16,
        g,
        ran: false,
        reason: 'layout rule refuses it: every group needs at least 4 members',
      });
      continue;
    }
    const run = await realRun({
      n: 16,
      g,
      offeredPerS: Number(values['real-offered']),
      durationMs,
      requestsPerCall: 16,
    });
    console.error(`real n=16 g=${g}:`, JSON.stringify(run));
    runs.push(run);
  }
  return { runs };
}

async function main(): Promise<void> {
  const began = Date.now();
  const loadAverage1mAtStart = loadavg()[0] ?? Number.NaN;
  const constants = await measureConstants(quick);
  console.error('constants:', JSON.stringify(constants));
  const sweep: SimPoint[] = [];
  for (const g of sweepGroups) {
    const point = simPoint(100, g, constants, sizes);
    console.error(
      `sim n=100 g=${g}: ${point.loaded?.messages ?? 'invalid'} msgs/batch, host ${point.hostCpuMs} ms`,
    );
    sweep.push(point);
  }
  const scale = scaleSizes.map((n) => {
    const point = scalePoint(n, constants, sizes, sweep);
    console.error(`scale n=${n}: best g=${point.best.g}`);
    return point;
  });
  const real = await realRuns();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const result: GroupsResult = {
    benchmark: 'groups',
    version: 1,
    date: new Date().toISOString(),
    quick,
    machine: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      loadAverage1mAtStart,
      loadAverage1mAtEnd: loadavg()[0] ?? Number.NaN,
    },
    workload: { requestsPerBatch, requestBytes, loadedBatches: sizes, tickMs: 10 },
    constants,
    sweep: { n: 100, points: sweep },
    scale,
    real: { n: 16, offeredPerS: Number(values['real-offered']), requestsPerCall: 16, ...real },
    durationMs: Date.now() - began,
  };
  const out = resolve(values.out ?? join(repoRoot, 'test/bench/results', `groups-${stamp}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  // A full run refreshes the docs' charts; a quick one leaves them and writes its charts beside the JSON.
  const chartDir = quick ? dirname(out) : join(repoRoot, 'docs/images');
  mkdirSync(chartDir, { recursive: true });
  for (const chart of chartsOf(result)) writeFileSync(join(chartDir, chart.file), chart.svg);
  console.log(renderReport(result));
  console.log(`written ${out} (charts in ${chartDir})`);
}

await main();
