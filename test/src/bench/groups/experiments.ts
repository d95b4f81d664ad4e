import type { MeasuredConstants } from './constants.ts';
import {
  busiestMessages,
  everyGroupMessages,
  groupedMessages,
  groupSizes,
  layoutValid,
  latencyUs as modelLatencyUs,
  type NodeWork,
  nodeCpuUs,
  type Prices,
  throughputPerS,
} from './cost-model.ts';
import { countingCrypto } from './counting-crypto.ts';
import { type DriveResult, drive, type NodeCosts, type NodeTally, type Topology } from './driver.ts';
import { flatTopology } from './flat.ts';
import { groupedTopology } from './grouped.ts';

/** Per committed batch of `requestsPerBatch` client requests. */
export interface BatchCounts {
  messages: number;
  signs: number;
  verifies: number;
  busiest: { node: number; messages: number; signs: number; verifies: number; cpuUs: number };
  byType: Record<string, number>;
  /** Client batches per executed (top-level) batch: > 1 when the top level batches group decisions. */
  clientBatchesPerTopBatch: number;
}

export interface SimPoint {
  n: number;
  g: number;
  valid: boolean;
  reason?: string;
  groupSizes?: number[];
  /** All batches submitted at once (saturated pipeline). */
  loaded?: BatchCounts & { batches: number; desThroughputPerS: number; modelThroughputPerS: number };
  /** One batch alone on an idle system. */
  single?: BatchCounts & { desLatencyUs: number; desLatencyFirstUs: number };
  /** The formulas of cost-model.ts: one batch alone (as built), every-group scheme, busiest, latency. */
  analytic: {
    messages: number;
    everyGroupMessages: number;
    busiestMessages: number;
    latencyUs: number;
    hops: number;
  };
  hostCpuMs?: number;
}

export const requestsPerBatch = 32;
export const requestBytes = 256;
const tickUs = 10_000;

export function pricesOf(c: MeasuredConstants): Prices {
  return {
    signUs: c.signUs,
    verifyUs: c.verifyUs,
    encodeUs: c.encodeUs.prepare ?? c.encodeUs.other!,
    receiveUs: c.receiveUs.prepare ?? c.receiveUs.other!,
    batchEncodeUs: c.encodeUs.prePrepare ?? c.encodeUs.other!,
    batchReceiveUs: c.receiveUs.prePrepare ?? c.receiveUs.other!,
    oneWayUs: c.loopback.oneWayUs,
  };
}

/** The driver's per-type prices: a decision (`batches`) costs what a pre-prepare with its batch costs. */
export function nodeCostsOf(c: MeasuredConstants): NodeCosts {
  const withBatches = (t: Record<string, number>) => ({ ...t, batches: t.prePrepare ?? t.other ?? 0 });
  return {
    signUs: c.signUs,
    verifyUs: c.verifyUs,
    encodeUs: withBatches(c.encodeUs),
    receiveUs: withBatches(c.receiveUs),
    latencyUs: c.loopback.oneWayUs,
    tickUs,
  };
}

function workOf(t: NodeTally): NodeWork {
  return { ...t };
}

function scaleWork(w: NodeWork, by: number): NodeWork {
  return {
    received: w.received / by,
    sent: w.sent / by,
    signs: w.signs / by,
    verifies: w.verifies / by,
    batchReceived: w.batchReceived / by,
    batchSent: w.batchSent / by,
    requestVerifies: w.requestVerifies / by,
  };
}

function countsOf(result: DriveResult, prices: Prices): BatchCounts {
  const batches = result.requestsCommitted / requestsPerBatch;
  const sum = (pick: (t: NodeTally) => number) => result.nodes.reduce((a, t) => a + pick(t), 0) / batches;
  const loads = result.nodes.map((t) => t.sent + t.received);
  const node = loads.indexOf(Math.max(...loads));
  const cpu = result.nodes.map((t) => nodeCpuUs(scaleWork(workOf(t), batches), prices));
  const t = result.nodes[node]!;
  return {
    messages: sum((x) => x.sent),
    signs: sum((x) => x.signs),
    verifies: sum((x) => x.verifies),
    busiest: {
      node,
      messages: loads[node]! / batches,
      signs: t.signs / batches,
      verifies: t.verifies / batches,
      cpuUs: Math.max(...cpu),
    },
    byType: Object.fromEntries(Object.entries(result.byType).map(([k, v]) => [k, v / batches])),
    clientBatchesPerTopBatch: batches / Math.max(1, result.topBatches),
  };
}

function topologyFor(n: number, g: number): Topology<unknown> {
  return (
    g === 1 ? flatTopology(n, requestsPerBatch) : groupedTopology(n, g, requestsPerBatch)
  ) as Topology<unknown>;
}

function run(n: number, g: number, batches: number, costs: NodeCosts): DriveResult {
  const result = drive({
    topology: topologyFor(n, g),
    cryptoFor: countingCrypto,
    costs,
    batches,
    requestsPerBatch,
    requestBytes,
    codec: false,
    eventsMax: 50_000_000,
  });
  if (!result.complete)
    throw new Error(`n=${n} g=${g}: only ${result.requestsCommitted} of ${result.requests} committed`);
  return result;
}

/** Batches per loaded run: each group gets the same number (at least `perGroup`), flat gets `flat`. */
export function loadedBatches(g: number, sizes: { flat: number; perGroup: number }): number {
  return g === 1 ? sizes.flat : Math.max(sizes.flat, g * sizes.perGroup);
}

export function simPoint(
  n: number,
  g: number,
  constants: MeasuredConstants,
  sizes: { flat: number; perGroup: number },
): SimPoint {
  const prices = pricesOf(constants);
  const latency = modelLatencyUs(n, g, prices, requestsPerBatch);
  const analytic = {
    messages: groupedMessages(n, g),
    everyGroupMessages: everyGroupMessages(n, g),
    busiestMessages: busiestMessages(n, g),
    latencyUs: latency.totalUs,
    hops: latency.hops,
  };
  if (!layoutValid(n, g)) {
    return { n, g, valid: false, reason: 'layout rule: g = 1, or groups of ≥ 4 members', analytic };
  }
  const costs = nodeCostsOf(constants);
  const started = process.cpuUsage();
  const batches = loadedBatches(g, sizes);
  const loaded = run(n, g, batches, costs);
  const single = run(n, g, 1, costs);
  const used = process.cpuUsage(started);
  const loadedCounts = countsOf(loaded, prices);
  return {
    n,
    g,
    valid: true,
    groupSizes: g === 1 ? [n] : groupSizes(n, g),
    loaded: {
      ...loadedCounts,
      batches,
      desThroughputPerS: (loaded.requests * 1e6) / loaded.makespanUs,
      modelThroughputPerS: throughputPerS(loadedCounts.busiest.cpuUs, requestsPerBatch),
    },
    single: {
      ...countsOf(single, prices),
      desLatencyUs: single.firstBatchUs.all,
      desLatencyFirstUs: single.firstBatchUs.first,
    },
    analytic,
    hostCpuMs: Math.round((used.user + used.system) / 1000),
  };
}
