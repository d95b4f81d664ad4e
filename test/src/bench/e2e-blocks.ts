import type { TelemetryBlock } from '../e2e/ledger-readings.ts';

/**
 * The e2e bench's drain wait, made cheap: a telemetry block is fetched as bytes and its readings are
 * only counted (a byte search) while the bench waits for the last acknowledged reading, and decoded
 * and parsed after the step's CPU figures are taken. Decoding and parsing ~1 MB of block JSON per
 * 4,096 readings (one object per reading) used to be charged to the load generator as part of what
 * a reading costs.
 */
export interface BlockText {
  height: number;
  /** The block's JSON as UTF-8 bytes, as the replica sent it. */
  bytes: Buffer;
}

const requestTimeoutMs = 10_000;
const parallelFetchesMax = 4;
/** What each committed reading's payload object begins with in a block's JSON. */
const readingMarker = Buffer.from('"reading":{');

async function blockText(url: string, height: number): Promise<BlockText> {
  const res = await fetch(`${url}/v1/chains/telemetry/blocks/${height}`, {
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  if (!res.ok) throw new Error(`GET telemetry block ${height} from ${url}: ${res.status}`);
  return { height, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Telemetry blocks `from..to` (inclusive) as bytes, a few requests at a time. */
export async function telemetryBlockTexts(url: string, from: number, to: number): Promise<BlockText[]> {
  const out: BlockText[] = [];
  for (let start = from; start <= to; start += parallelFetchesMax) {
    const heights: number[] = [];
    for (let h = start; h <= Math.min(to, start + parallelFetchesMax - 1); h++) heights.push(h);
    out.push(...(await Promise.all(heights.map((h) => blockText(url, h)))));
  }
  return out;
}

/**
 * How many reading payloads a block's JSON holds, without decoding it. Only an estimate for the
 * drain wait: the step parses the blocks afterwards and counts from the parsed readings.
 */
export function countReadings(bytes: Buffer): number {
  let n = 0;
  for (
    let at = bytes.indexOf(readingMarker);
    at >= 0;
    at = bytes.indexOf(readingMarker, at + readingMarker.length)
  )
    n++;
  return n;
}

interface BlockBody {
  txs: { kind: string; payloads?: { reading: { deviceId: string; seq: number; time: number } }[] }[];
}

/** A block's committed readings (device, seq, sample time), as ledger-readings.ts reads them. */
export function parseTelemetryBlock(block: BlockText): TelemetryBlock {
  const body = JSON.parse(block.bytes.toString('utf8')) as BlockBody;
  const readings: TelemetryBlock['readings'] = [];
  for (const tx of body.txs) {
    if (tx.kind !== 'readingBatch') continue;
    for (const p of tx.payloads ?? [])
      readings.push({ deviceId: p.reading.deviceId, seq: p.reading.seq, time: p.reading.time });
  }
  return { height: block.height, readings };
}
