/**
 * Renders a `pnpm bench:edge` JSON result as the markdown that goes between `<!-- bench:edge -->` and
 * `<!-- /bench:edge -->` in docs/benchmarks.md. Throws a clear error when the shape does not match.
 */
const goalReadingsPerSecond = 10_000;
const goalRssMb = 150;

interface IngestRow {
  targetReadingsPerSecond: number;
  ackedReadingsPerSecond: number;
  ackedMessagesPerSecond: number;
  rssIdleMb: number;
  rssMeanMb: number;
  rssMaxMb: number;
  gatewayCpuShare: number;
  readingsPerGatewayCpuSecond: number;
  /** Optional (results before 2026-11-24 13:30 lack them): the parts of the highest RSS sample. */
  rssAnonAtMaxMb?: number;
  rssFileAtMaxMb?: number;
}

interface ClusterRow {
  targetReadingsPerSecond: number;
  publishedReadings: number;
  committedReadings: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyMsMax: number;
  submissions: number;
  ingestMsP50: number;
  uploadMsP50: number;
}

interface EdgeResult {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  loadAverageBefore: number[];
  quick: boolean;
  ingest: { readingsPerMessage: number; devices: number; nodeFlags: string[] };
  compiled: IngestRow[];
  tsx: IngestRow[];
  cluster: { replicas: number; commitPollDelayMs: number; steps: ClusterRow[] } | null;
}

const ingestKeys = [
  'targetReadingsPerSecond',
  'ackedReadingsPerSecond',
  'ackedMessagesPerSecond',
  'rssIdleMb',
  'rssMeanMb',
  'rssMaxMb',
  'gatewayCpuShare',
  'readingsPerGatewayCpuSecond',
] as const;
const clusterKeys = [
  'targetReadingsPerSecond',
  'publishedReadings',
  'committedReadings',
  'latencyMsP50',
  'latencyMsP99',
  'latencyMsMax',
  'submissions',
  'ingestMsP50',
  'uploadMsP50',
] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRows(rows: unknown, keys: readonly string[], where: string): void {
  if (!Array.isArray(rows)) throw new Error(`edge result: ${where} must be an array`);
  rows.forEach((row, i) => {
    if (!isRecord(row)) throw new Error(`edge result: ${where}[${i}] must be an object`);
    for (const k of keys) {
      if (typeof row[k] !== 'number') throw new Error(`edge result: ${where}[${i}].${k} must be a number`);
    }
  });
}

function validate(raw: unknown): EdgeResult {
  if (!isRecord(raw) || raw.bench !== 'edge') throw new Error("edge result: not a bench 'edge' JSON object");
  for (const k of ['date', 'node', 'cpuModel'] as const) {
    if (typeof raw[k] !== 'string') throw new Error(`edge result: ${k} must be a string`);
  }
  if (typeof raw.cores !== 'number') throw new Error('edge result: cores must be a number');
  if (!Array.isArray(raw.loadAverageBefore))
    throw new Error('edge result: loadAverageBefore must be an array');
  if (!isRecord(raw.ingest) || typeof raw.ingest.readingsPerMessage !== 'number')
    throw new Error('edge result: ingest.readingsPerMessage must be a number');
  checkRows(raw.compiled, ingestKeys, 'compiled');
  checkRows(raw.tsx, ingestKeys, 'tsx');
  if (raw.cluster !== null) {
    if (!isRecord(raw.cluster)) throw new Error('edge result: cluster must be an object or null');
    checkRows(raw.cluster.steps, clusterKeys, 'cluster.steps');
  }
  return raw as unknown as EdgeResult;
}

const n = (v: number) => v.toLocaleString('en-US');

function ingestTable(rows: readonly IngestRow[]): string[] {
  return [
    '| target readings/s | acked readings/s | acked messages/s | RSS idle / mean / max MB | gateway CPU share | readings per gateway CPU-second |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${n(r.targetReadingsPerSecond)} | ${n(r.ackedReadingsPerSecond)} | ${n(r.ackedMessagesPerSecond)} | ${r.rssIdleMb} / ${r.rssMeanMb} / ${r.rssMaxMb} | ${r.gatewayCpuShare} | ${n(r.readingsPerGatewayCpuSecond)} |`,
    ),
  ];
}

function goalLine(rows: readonly IngestRow[]): string {
  const atGoal = rows.filter((r) => r.ackedReadingsPerSecond >= goalReadingsPerSecond);
  if (atGoal.length === 0)
    return `- Goal (≥ ${n(goalReadingsPerSecond)} readings/s with RSS < ${goalRssMb} MB): **not met** — no step acknowledged ${n(goalReadingsPerSecond)} readings/s.`;
  const worstMean = Math.max(...atGoal.map((r) => r.rssMeanMb));
  const worstMax = Math.max(...atGoal.map((r) => r.rssMaxMb));
  const best = Math.max(...atGoal.map((r) => r.ackedReadingsPerSecond));
  const met = worstMean < goalRssMb;
  return `- Goal (≥ ${n(goalReadingsPerSecond)} readings/s with RSS < ${goalRssMb} MB): **${met ? 'met' : 'not met'}** — up to ${n(best)} readings/s acked; mean RSS at ≥ ${n(goalReadingsPerSecond)}/s at most ${worstMean} MB (max sample ${worstMax} MB).`;
}

function rssPartLines(rows: readonly IngestRow[]): string[] {
  return rows
    .filter((r) => typeof r.rssAnonAtMaxMb === 'number' && typeof r.rssFileAtMaxMb === 'number')
    .map(
      (r) =>
        `- At ${n(r.targetReadingsPerSecond)}/s the highest RSS sample was ${r.rssAnonAtMaxMb} MB anonymous (V8 heap, malloc, stacks) + ${r.rssFileAtMaxMb} MB mapped files (node binary, libraries).`,
    );
}

function ratioLines(compiled: readonly IngestRow[], tsx: readonly IngestRow[]): string[] {
  const lines: string[] = [];
  for (const t of tsx) {
    const c = compiled.find((r) => r.targetReadingsPerSecond === t.targetReadingsPerSecond);
    if (!c) continue;
    lines.push(
      `- At ${n(t.targetReadingsPerSecond)}/s, compiled vs tsx: mean RSS ${c.rssMeanMb} vs ${t.rssMeanMb} MB (${(c.rssMeanMb / t.rssMeanMb).toFixed(2)}×), readings per CPU-second ${n(c.readingsPerGatewayCpuSecond)} vs ${n(t.readingsPerGatewayCpuSecond)} (${(c.readingsPerGatewayCpuSecond / Math.max(1, t.readingsPerGatewayCpuSecond)).toFixed(2)}×).`,
    );
  }
  return lines;
}

function clusterLines(cluster: NonNullable<EdgeResult['cluster']>): string[] {
  return [
    `End-to-end into a real ${cluster.replicas}-replica PBFT ledger network (publish → the gateway holds a commit receipt it verified against the replica keys; gateway \`commitPollDelayMs\` ${cluster.commitPollDelayMs}):`,
    '',
    '| target readings/s | published | committed | p50 ms | p99 ms | max ms | submissions | p50 publish → signed in outbox ms | p50 outbox → verified receipt ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...cluster.steps.map(
      (s) =>
        `| ${n(s.targetReadingsPerSecond)} | ${n(s.publishedReadings)} | ${n(s.committedReadings)} | ${s.latencyMsP50} | ${s.latencyMsP99} | ${s.latencyMsMax} | ${n(s.submissions)} | ${s.ingestMsP50} | ${s.uploadMsP50} |`,
    ),
    '',
    ...cluster.steps
      .filter((s) => s.committedReadings < s.publishedReadings)
      .map(
        (s) =>
          `- At ${n(s.targetReadingsPerSecond)}/s, ${n(s.publishedReadings - s.committedReadings)} published readings had no verified receipt within the bench's wait (60 s after the step).`,
      ),
  ];
}

export function renderReport(result: unknown): string {
  const r = validate(result);
  const load = r.loadAverageBefore.map((l) => l.toFixed(2)).join(' / ');
  const out = [
    `Run ${r.date}${r.quick ? ' (quick)' : ''}: ${r.cores} × ${r.cpuModel}, Node ${r.node}, load average before ${load}.`,
    '',
    `Ingest, gateway as compiled JS (\`node ${r.ingest.nodeFlags.join(' ')} edge/dist/suyuan-edge.mjs\`), ${r.ingest.readingsPerMessage} readings per MQTT message:`,
    '',
    ...ingestTable(r.compiled),
    '',
  ];
  if (r.tsx.length > 0) out.push('The same gateway under tsx (TS source):', '', ...ingestTable(r.tsx), '');
  out.push(goalLine(r.compiled), ...rssPartLines(r.compiled), ...ratioLines(r.compiled, r.tsx), '');
  if (r.cluster) out.push(...clusterLines(r.cluster), '');
  else out.push('End-to-end cluster latency: not run (`--no-cluster`).', '');
  return out.join('\n');
}
