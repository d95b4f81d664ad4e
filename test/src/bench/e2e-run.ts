import { cpus } from 'node:os';
import type { AckedReading, MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';
import type { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { runLoad } from '@suyuan/firmware-sim/scenario/run';
import type { LedgerNetwork } from '../e2e/ledger-network.ts';
import { readingCounts, type TelemetryBlock, telemetryBlocks } from '../e2e/ledger-readings.ts';
import { type BlockText, countReadings, parseTelemetryBlock, telemetryBlockTexts } from './e2e-blocks.ts';
import {
  cpuShares,
  cpuSnapshot,
  faultSnapshot,
  type HeightWatcher,
  percentile,
  rssMb,
} from './e2e-probes.ts';

/**
 * One load step of the e2e bench: publish at a target rate for a while, then wait until every
 * acknowledged reading is on the telemetry chain (bounded), and turn the blocks into throughput,
 * publish → commit latency, loss/duplicate counts and each process's CPU share.
 */
export const DEVICE_SEQ_LIMIT = 2 ** 32;
/** How long each step first watches the idle processes (their CPU without load). */
export const idleSampleMs = 3000;

export interface Load {
  net: LedgerNetwork;
  nodes: SensorNode[];
  devices: Map<string, MqttDevice>;
  watcher: HeightWatcher;
  readingsPerMessage: number;
  inFlightPerDeviceMax: number;
}

export interface StepResult {
  targetReadingsPerSecond: number;
  durationMs: number;
  publishedReadings: number;
  ackedReadings: number;
  ackedReadingsPerSecond: number;
  committedReadings: number;
  /** Committed readings ÷ (last commit seen − load start): the rate the whole pipeline sustained. */
  committedReadingsPerSecond: number;
  /** Readings committed before the load stopped ÷ load duration. */
  committedInWindowPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  blocks: number;
  lost: number;
  duplicated: number;
  drainMs: number;
  drained: boolean;
  /** CPU cores' worth per process while the load ran. */
  cpuShare: Record<string, number>;
  /** CPU cores' worth per process from load start until the last reading committed (drain included). */
  cpuShareToCommit: Record<string, number>;
  /**
   * CPU time per committed reading (µs) per process from load start until drained, and for the load
   * generator (this process: MQTT devices + chain polling). Unlike rates, this barely moves with the
   * machine's other load, so it says where the cost is.
   */
  cpuUsPerReading: Record<string, number>;
  /**
   * The load generator's `cpuUsPerReading` split at the end of the load window: publishing (the
   * simulated devices, their acknowledgements, height polling) and the wait for the last commit.
   * Absent in results from before session 7b.
   */
  loadGeneratorUsPerReading?: { loadWindow: number; drain: number };
  /**
   * Cores each process used while idle (no load, measured for `idleSampleMs` just before the step):
   * consensus ticks, status polls, chain polling.
   */
  idleCores: Record<string, number>;
  /**
   * `cpuUsPerReading` less each process's idle CPU over the same time: the work the readings
   * themselves cost. A run that drains slowly on a busy machine is charged its idle time in
   * `cpuUsPerReading`; this figure compares runs across loads and source trees.
   */
  cpuUsPerReadingNetOfIdle: Record<string, number>;
  /** cores × 10⁶ ÷ (gateway + replicas µs per reading): the most the pipeline could commit on this machine's cores. */
  cpuBoundReadingsPerSecond: number;
  /**
   * Minor page faults per 1,000 committed readings per process, load start until drained (first
   * touches of fresh memory; ~8–20 µs of CPU each on this VM). Absent before session 8.
   */
  minorFaultsPerThousandReadings?: Record<string, number>;
  rssMb: Record<string, number>;
}

/** Acknowledged reading keys (`deviceId#ledgerSeq`) since the last call; empties the devices' lists. */
export function takeAcked(devices: Map<string, MqttDevice>): string[] {
  const keys: string[] = [];
  for (const d of devices.values()) {
    for (const a of d.acked) keys.push(`${a.deviceId}#${(a.boot ?? 0) * DEVICE_SEQ_LIMIT + a.seq}`);
    d.acked.length = 0;
  }
  return keys;
}

/** Acknowledged readings since the last call, without building keys; empties the devices' lists. */
function takeAckedReadings(devices: Map<string, MqttDevice>): AckedReading[][] {
  return [...devices.values()].map((d) => d.acked.splice(0));
}

function ackedKeys(lists: AckedReading[][]): string[] {
  const keys: string[] = [];
  for (const list of lists)
    for (const a of list) keys.push(`${a.deviceId}#${(a.boot ?? 0) * DEVICE_SEQ_LIMIT + a.seq}`);
  return keys;
}

/**
 * Waits until `want` readings are in the telemetry blocks after `fromHeight` or `drainMsMax`
 * passes, counting readings in the blocks' bytes (the step parses them once its CPU figures are
 * taken). Returns the blocks seen, unparsed.
 */
async function waitForReadings(
  load: Load,
  fromHeight: number,
  want: number,
  drainMsMax: number,
): Promise<BlockText[]> {
  const deadline = Date.now() + drainMsMax;
  const texts: BlockText[] = [];
  let scanned = fromHeight;
  let have = 0;
  for (;;) {
    const top = await load.watcher.poll();
    if (top > scanned) {
      const fresh = await telemetryBlockTexts(load.net.url(0), scanned + 1, top);
      texts.push(...fresh);
      for (const b of fresh) have += countReadings(b.bytes);
      scanned = top;
    }
    if (have >= want || Date.now() > deadline) return texts;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Scans new telemetry blocks until `want` readings are in them or `drainMsMax` passes. */
export async function drainInto(
  load: Load,
  blocks: TelemetryBlock[],
  fromHeight: number,
  want: number,
  drainMsMax: number,
): Promise<boolean> {
  const deadline = Date.now() + drainMsMax;
  let scanned = fromHeight;
  let have = blocks.reduce((n, b) => n + b.readings.length, 0);
  for (;;) {
    const top = await load.watcher.poll();
    if (top > scanned) {
      const fresh = await telemetryBlocks(load.net.url(0), scanned + 1, top);
      blocks.push(...fresh);
      have += fresh.reduce((n, b) => n + b.readings.length, 0);
      scanned = top;
    }
    if (have >= want) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** CPU µs per committed reading for each process, plus the load generator's own CPU (ms). */
export function cpuPerReading(
  before: Record<string, number>,
  after: Record<string, number>,
  loadGeneratorCpuMs: number,
  committed: number,
): Record<string, number> {
  const per = (ms: number) => (committed > 0 ? Math.round(((ms * 1000) / committed) * 10) / 10 : 0);
  const out: Record<string, number> = {};
  for (const name of Object.keys(after)) out[name] = per((after[name] ?? 0) - (before[name] ?? 0));
  out['load-generator'] = per(loadGeneratorCpuMs);
  return out;
}

export async function runStep(
  load: Load,
  rate: number,
  durationMs: number,
  drainMsMax: number,
): Promise<StepResult> {
  takeAcked(load.devices);
  const startHeight = await load.watcher.poll();
  const pids = load.net.pids();
  const idleBefore = cpuSnapshot(pids);
  const tIdle = Date.now();
  await new Promise((r) => setTimeout(r, idleSampleMs));
  const idleCores = cpuShares(idleBefore, cpuSnapshot(pids), Date.now() - tIdle);
  const cpuBefore = cpuSnapshot(pids);
  const faultsBefore = faultSnapshot(pids);
  const selfBefore = process.cpuUsage();
  const t0 = Date.now();
  const stats = await runLoad(load.nodes, load.devices, {
    readingsPerSecond: rate,
    durationMs,
    readingsPerMessage: load.readingsPerMessage,
    inFlightPerDeviceMax: load.inFlightPerDeviceMax,
    drainMsMax: 10_000,
  });
  const tLoadEnd = Date.now();
  const selfInLoad = process.cpuUsage(selfBefore);
  const cpuShare = cpuShares(cpuBefore, cpuSnapshot(pids), tLoadEnd - t0);
  const rss = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, rssMb(pid)]));
  const ackedLists = takeAckedReadings(load.devices);
  const ackedCount = ackedLists.reduce((n, list) => n + list.length, 0);
  const texts = await waitForReadings(load, startHeight, ackedCount, drainMsMax);
  const cpuAfter = cpuSnapshot(pids);
  const faultsAfter = faultSnapshot(pids);
  const self = process.cpuUsage(selfBefore);
  const tDrained = Date.now();
  const drainMs = tDrained - tLoadEnd;
  const cpuShareToCommit = cpuShares(cpuBefore, cpuAfter, tDrained - t0);
  // The checks (not charged to the load generator): parse what was counted, and should the count
  // have run ahead of the parsed readings, keep scanning as before for what is left of the wait.
  const blocks = texts.map(parseTelemetryBlock);
  const scanned = texts.at(-1)?.height ?? startHeight;
  const drained = await drainInto(load, blocks, scanned, ackedCount, Math.max(0, drainMsMax - drainMs));
  const acked = ackedKeys(ackedLists);
  const counts = readingCounts(blocks);
  const latencies: number[] = [];
  let lastCommit = t0;
  let inWindow = 0;
  for (const b of blocks) {
    const seen = load.watcher.firstSeen.get(b.height) ?? Date.now();
    lastCommit = Math.max(lastCommit, seen);
    if (seen <= tLoadEnd) inWindow += b.readings.length;
    for (const r of b.readings) latencies.push(seen - r.time);
  }
  latencies.sort((a, b) => a - b);
  const committed = blocks.reduce((n, b) => n + b.readings.length, 0);
  const round = (x: number) => Math.round(x);
  const perReading = cpuPerReading(cpuBefore, cpuAfter, (self.user + self.system) / 1000, committed);
  const loadWindowUs = cpuPerReading({}, {}, (selfInLoad.user + selfInLoad.system) / 1000, committed);
  const loadWindow = loadWindowUs['load-generator'] ?? 0;
  const elapsedMs = tDrained - t0;
  const idleMs = Object.fromEntries(
    Object.entries(cpuBefore).map(([name, ms]) => [name, ms + (idleCores[name] ?? 0) * elapsedMs]),
  );
  const netOfIdle = cpuPerReading(idleMs, cpuAfter, 0, committed);
  delete netOfIdle['load-generator'];
  for (const [name, us] of Object.entries(netOfIdle)) netOfIdle[name] = Math.max(0, us);
  const pipelineUs = Object.entries(perReading)
    .filter(([name]) => name !== 'load-generator')
    .reduce((sum, [, us]) => sum + us, 0);
  return {
    targetReadingsPerSecond: rate,
    durationMs,
    publishedReadings: stats.readings,
    ackedReadings: acked.length,
    ackedReadingsPerSecond: round((acked.length * 1000) / (tLoadEnd - t0)),
    committedReadings: committed,
    committedReadingsPerSecond: round((committed * 1000) / Math.max(1, lastCommit - t0)),
    committedInWindowPerSecond: round((inWindow * 1000) / (tLoadEnd - t0)),
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    },
    blocks: blocks.length,
    lost: acked.filter((k) => !counts.has(k)).length,
    duplicated: [...counts.values()].filter((c) => c > 1).length,
    drainMs,
    drained,
    cpuShare,
    cpuShareToCommit,
    cpuUsPerReading: perReading,
    loadGeneratorUsPerReading: {
      loadWindow,
      drain: Math.round(((perReading['load-generator'] ?? 0) - loadWindow) * 10) / 10,
    },
    idleCores,
    cpuUsPerReadingNetOfIdle: netOfIdle,
    cpuBoundReadingsPerSecond: pipelineUs > 0 ? round((cpus().length * 1e6) / pipelineUs) : 0,
    minorFaultsPerThousandReadings: Object.fromEntries(
      Object.entries(faultsAfter).map(([name, n]) => [
        name,
        Math.round((10_000 * (n - (faultsBefore[name] ?? 0))) / Math.max(1, committed)) / 10,
      ]),
    ),
    rssMb: rss,
  };
}
