/**
 * Reads what the ledger holds of sensor readings, from one replica's HTTP API: the telemetry
 * chain's height, and each block's readings (device, sequence, sample time). Tests compare these
 * against what the broker acknowledged; the e2e bench turns them into commit latencies.
 */
export interface CommittedReading {
  deviceId: string;
  seq: number;
  time: number;
}

export interface TelemetryBlock {
  height: number;
  readings: CommittedReading[];
}

interface BlockBody {
  header: { height: number };
  txs: { kind: string; payloads?: { reading: CommittedReading }[] }[];
}

const requestTimeoutMs = 10_000;
const parallelFetchesMax = 4;

export async function chainHeights(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/v1/chains`, { signal: AbortSignal.timeout(requestTimeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}/v1/chains: ${res.status}`);
  const body = (await res.json()) as { chains: { name: string; height: number }[] };
  return Object.fromEntries(body.chains.map((c) => [c.name, c.height]));
}

export async function telemetryHeight(url: string): Promise<number> {
  return (await chainHeights(url)).telemetry ?? 0;
}

async function block(url: string, height: number): Promise<TelemetryBlock> {
  const res = await fetch(`${url}/v1/chains/telemetry/blocks/${height}`, {
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  if (!res.ok) throw new Error(`GET telemetry block ${height} from ${url}: ${res.status}`);
  const body = (await res.json()) as BlockBody;
  const readings: CommittedReading[] = [];
  for (const tx of body.txs) {
    if (tx.kind !== 'readingBatch') continue;
    for (const p of tx.payloads ?? [])
      readings.push({ deviceId: p.reading.deviceId, seq: p.reading.seq, time: p.reading.time });
  }
  return { height, readings };
}

/** Tries per block fetch: a replica at load average 20+ can miss one 10 s answer (it ended a soak). */
const blockFetchAttemptsMax = 3;

async function blockWithRetries(url: string, height: number): Promise<TelemetryBlock> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await block(url, height);
    } catch (error) {
      if (attempt >= blockFetchAttemptsMax) throw error;
    }
  }
}

/** Telemetry blocks `from..to` (inclusive), a few requests at a time. */
export async function telemetryBlocks(url: string, from: number, to: number): Promise<TelemetryBlock[]> {
  const out: TelemetryBlock[] = [];
  for (let start = from; start <= to; start += parallelFetchesMax) {
    const heights = [];
    for (let h = start; h <= Math.min(to, start + parallelFetchesMax - 1); h++) heights.push(h);
    out.push(...(await Promise.all(heights.map((h) => blockWithRetries(url, h)))));
  }
  return out;
}

/** How many times each `deviceId#seq` is on the chain (a value above 1 is a duplicate). */
export function readingCounts(blocks: readonly TelemetryBlock[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of blocks)
    for (const r of b.readings) {
      const key = `${r.deviceId}#${r.seq}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return counts;
}
