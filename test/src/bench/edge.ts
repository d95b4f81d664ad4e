import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildGatewayBundle } from '@suyuan/edge/build';
import { type ClusterResult, measureCluster } from './edge-cluster.ts';
import { type IngestStep, measureIngest } from './edge-ingest.ts';
import { machineFacts } from './edge-proc.ts';
import { renderReport } from './edge-report.ts';

/**
 * `pnpm bench:edge [--quick] [--out FILE]`, unattended, two parts:
 * 1. ingest: readings/s one gateway process ingests over MQTT (QoS 1), validates, deduplicates, signs
 *    and commits to its SQLite outbox before the PUBACK, with its RSS and CPU — run as compiled JS
 *    (`edge/dist`, built first) with the recommended V8 flags, plus the same under tsx for comparison;
 * 2. cluster: publish → verified commit receipt latency into a real 4-replica ledger network.
 * Writes the JSON result (default test/bench/results/edge-<stamp>.json) and prints its path.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rates: { type: 'string' },
    'tsx-rates': { type: 'string' },
    'duration-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    devices: { type: 'string', default: '20' },
    'readings-per-message': { type: 'string', default: '20' },
    'semi-space-mb': { type: 'string', default: '4' },
    'old-space-mb': { type: 'string', default: '96' },
    /** Extra node flags for the gateway, space-separated (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`). */
    'node-flags': { type: 'string', default: '' },
    'cluster-rates': { type: 'string' },
    'cluster-duration-ms': { type: 'string' },
    'commit-poll-ms': { type: 'string', default: '250' },
    inflight: { type: 'string' },
    'no-cluster': { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);
const rates = numbers(values.rates ?? (quick ? '10000' : '5000,10000,15000,20000'));
const tsxRates = numbers(values['tsx-rates'] ?? (quick ? '' : '10000,20000'));
const durationMs = Number(values['duration-ms'] ?? (quick ? 4000 : 10_000));
const warmupMs = Number(values['warmup-ms'] ?? (quick ? 1000 : 2000));
const perMessage = Number(values['readings-per-message']);
/** Recommended in docs/edge.md: a small young generation and a capped old space keep RSS down. */
const nodeFlags = [
  `--max-semi-space-size=${values['semi-space-mb']}`,
  `--max-old-space-size=${values['old-space-mb']}`,
  ...(values['node-flags'] ?? '').split(' ').filter(Boolean),
];

async function main(): Promise<void> {
  const facts = machineFacts();
  const bundle = await buildGatewayBundle();
  const ingestOptions = {
    durationMs,
    warmupMs,
    devices: Number(values.devices),
    nodeFlags,
  };
  const compiled: IngestStep[] = [];
  for (const rate of rates) {
    compiled.push(await measureIngest(rate, perMessage, { ...ingestOptions, compiledCli: bundle.cli }));
    console.log('compiled', JSON.stringify(compiled.at(-1)));
  }
  const tsx: IngestStep[] = [];
  for (const rate of tsxRates) {
    tsx.push(await measureIngest(rate, perMessage, { ...ingestOptions, compiledCli: undefined }));
    console.log('tsx', JSON.stringify(tsx.at(-1)));
  }
  let cluster: ClusterResult | null = null;
  if (!values['no-cluster']) {
    cluster = await measureCluster({
      rates: numbers(values['cluster-rates'] ?? (quick ? '1000' : '1000,5000')),
      durationMs: Number(values['cluster-duration-ms'] ?? (quick ? 4000 : 15_000)),
      readingsPerMessage: perMessage,
      commitPollDelayMs: Number(values['commit-poll-ms']),
      inflightMax: values.inflight === undefined ? undefined : Number(values.inflight),
    });
    console.log('cluster', JSON.stringify(cluster));
  }
  const result = {
    bench: 'edge',
    ...facts,
    quick,
    ingest: {
      devices: ingestOptions.devices,
      durationMs,
      warmupMs,
      readingsPerMessage: perMessage,
      nodeFlags,
    },
    compiled,
    tsx,
    cluster,
  };
  const file = values.out
    ? resolve(values.out)
    : join(repoRoot, 'test/bench/results', `edge-${facts.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${renderReport(result)}\nwrote ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
