/**
 * The cost model of the groups bench, pure functions only.
 *
 * Counts: flat PBFT in our core sends, per committed batch, a pre-prepare to n-1 backups, then every
 * replica sends prepare (backups), commit and attest (all) to the n-1 others: 3n(n-1) messages.
 * Grouped PBFT as built (cloud/src/gpbft): a client batch is ordered by ONE group of m (3m(m-1)), its
 * certified decision by the g representatives (3g(g-1)), and each representative sends the decision to
 * its m-1 members (n-g in all): 3m(m-1) + 3g(g-1) + (n-g) for one batch alone, smallest near m = g,
 * i.e. g = √n; under load one top batch carries k decisions and the top's share falls to 1/k. The
 * classic two-level scheme where EVERY group orders every batch costs Σ 3m_j(m_j-1) + 3g(g-1) + (n-g)
 * ≈ 3n²/g + 3g², smallest at g = (n²/2)^(1/3). The busiest node is a representative: 6(m-1) + 6(g-1)
 * + (m-1) messages, least near m = g, i.e. g = √n.
 *
 * Prices: a node is one CPU. Per batch it pays, for every message it receives, decode + step +
 * (if signed) one verify; for every message it sends, one encode; for every signature it makes, one
 * sign; for every client request in the batch, one verify of the client's signature.
 * Throughput = requests per batch ÷ the busiest node's CPU per batch (pipelined batches keep it busy).
 * Latency = hops × one-way loopback latency + the CPU on the critical path (each phase: the node
 * handles a quorum of votes and sends its own to its peers).
 */
export interface Prices {
  signUs: number;
  verifyUs: number;
  /** Encode one vote-sized message. */
  encodeUs: number;
  /** Decode + core step for one vote-sized message (crypto excluded). */
  receiveUs: number;
  /** Encode / receive one pre-prepare carrying a batch (a decision message is priced the same). */
  batchEncodeUs: number;
  batchReceiveUs: number;
  oneWayUs: number;
}

/** Group sizes when n replicas are dealt round-robin into g groups (sizes differ by at most one). */
export function groupSizes(n: number, g: number): number[] {
  return Array.from({ length: g }, (_, j) => Math.floor(n / g) + (j < n % g ? 1 : 0));
}

/** The layout rule of the grouped mode: g = 1 (flat, n ≥ 4), or g ≥ 2 groups of at least 4. */
export function layoutValid(n: number, g: number): boolean {
  if (g === 1) return n >= 4;
  return g >= 2 && Math.floor(n / g) >= 4;
}

export function flatMessages(n: number): number {
  return 3 * n * (n - 1);
}

/** One client batch alone, grouped PBFT as built: one (largest) group, the top level, the decision fan-out. */
export function groupedMessages(n: number, g: number): number {
  if (g === 1) return flatMessages(n);
  const m = Math.max(...groupSizes(n, g));
  return flatMessages(m) + flatMessages(g) + (n - g);
}

/** The classic two-level scheme: every group orders every batch. */
export function everyGroupMessages(n: number, g: number): number {
  if (g === 1) return flatMessages(n);
  const inGroups = groupSizes(n, g).reduce((sum, m) => sum + flatMessages(m), 0);
  return inGroups + flatMessages(g) + (n - g);
}

/** Messages sent + received per batch by the busiest node (flat: any; grouped: a largest group's representative). */
export function busiestMessages(n: number, g: number): number {
  if (g === 1) return 6 * (n - 1);
  const m = Math.max(...groupSizes(n, g));
  return 6 * (m - 1) + 6 * (g - 1) + (m - 1);
}

/** The g (from candidates, valid layouts only) with the fewest messages by `cost`. */
export function bestG(
  n: number,
  candidates: readonly number[],
  cost: (n: number, g: number) => number,
): number {
  const valid = candidates.filter((g) => layoutValid(n, g));
  if (valid.length === 0) throw new Error(`no valid grouping of ${n} among ${candidates.join(',')}`);
  return valid.reduce((best, g) => (cost(n, g) < cost(n, best) ? g : best));
}

export const gForTotal = (n: number): number => Math.cbrt((n * n) / 2);
export const gForBusiest = (n: number): number => Math.sqrt(n);

/** One node's work per committed batch. */
export interface NodeWork {
  received: number;
  sent: number;
  signs: number;
  verifies: number;
  /** Of received/sent, messages that carry a batch (pre-prepares, decisions). */
  batchReceived: number;
  batchSent: number;
  requestVerifies: number;
}

export function nodeCpuUs(work: NodeWork, p: Prices): number {
  return (
    (work.received - work.batchReceived) * p.receiveUs +
    work.batchReceived * p.batchReceiveUs +
    (work.sent - work.batchSent) * p.encodeUs +
    work.batchSent * p.batchEncodeUs +
    work.signs * p.signUs +
    (work.verifies + work.requestVerifies) * p.verifyUs
  );
}

/** The busiest node's work per batch by the counting formulas (used where no run was driven). */
export function busiestWork(n: number, g: number, requestsPerBatch: number): NodeWork {
  const m = g === 1 ? n : Math.max(...groupSizes(n, g));
  const layers = g === 1 ? [n] : [m, g];
  let work: NodeWork = {
    received: 0,
    sent: 0,
    signs: 0,
    verifies: 0,
    batchReceived: 0,
    batchSent: 0,
    requestVerifies: 0,
  };
  for (const size of layers) {
    // A layer's primary sends the pre-prepare to size-1 and receives size-1 prepares; it commits and attests.
    work = {
      ...work,
      received: work.received + 3 * (size - 1),
      sent: work.sent + 3 * (size - 1),
      signs: work.signs + 3,
      verifies: work.verifies + 3 * (size - 1),
      batchSent: work.batchSent + (size - 1),
    };
  }
  if (g > 1) work = { ...work, sent: work.sent + (m - 1), batchSent: work.batchSent + (m - 1) };
  return { ...work, requestVerifies: requestsPerBatch };
}

export function throughputPerS(busiestCpuUsPerBatch: number, requestsPerBatch: number): number {
  return (requestsPerBatch * 1e6) / busiestCpuUsPerBatch;
}

/**
 * Latency of one batch on an idle system: flat = 3 hops (pre-prepare, prepare, commit); grouped =
 * 3 in the group + 3 at the top + 1 decision hop. A phase costs its node a quorum of votes received
 * and its own message sent to the layer's size-1 peers; the batch's client signatures are checked
 * by the entry node and again by each backup on the pre-prepare. Not included: waiting for a tick to
 * close a batch that is not full (the top level's single decision waits up to one tick).
 */
export function latencyUs(
  n: number,
  g: number,
  p: Prices,
  requestsPerBatch: number,
): { hops: number; cpuUs: number; totalUs: number } {
  const m = g === 1 ? n : Math.max(...groupSizes(n, g));
  const requestChecks = 2 * requestsPerBatch * p.verifyUs;
  const layer = (size: number) => {
    const quorum = 2 * Math.floor((size - 1) / 3) + 1;
    const prePrepare = (size - 1) * p.batchEncodeUs + p.signUs;
    const vote = quorum * (p.receiveUs + p.verifyUs) + (size - 1) * p.encodeUs + p.signUs;
    return p.batchReceiveUs + prePrepare + 2 * vote;
  };
  const cpuUs =
    requestChecks + (g === 1 ? layer(n) : layer(m) + layer(g) + (m - 1) * p.batchEncodeUs + p.batchReceiveUs);
  const hops = g === 1 ? 3 : 7;
  return { hops, cpuUs, totalUs: hops * p.oneWayUs + cpuUs };
}
