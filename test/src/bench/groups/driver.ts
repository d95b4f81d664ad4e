import type { ClientRequest, ConsensusCrypto, ReplicaId } from '@suyuan/cloud/consensus/types';
import { sha256 } from '@suyuan/shared';
import { type CryptoCounts, zeroCounts } from './counting-crypto.ts';
import { EventQueue } from './event-queue.ts';

/**
 * A deterministic discrete-event driver for real consensus cores (flat PBFT or grouped, anything with
 * the ReplicaCore shape). Time is simulated microseconds: each node is one CPU that handles one event
 * at a time; handling costs the priced work it did (receive, sends, signs, verifies — see
 * `NodeCosts`), and a message arrives `latencyUs` after its sender finished the handling that sent it.
 * The network is reliable and FIFO per link; nothing fails, so every count is the protocol's own cost
 * per committed batch in the good case.
 */
export interface NodeCosts {
  signUs: number;
  verifyUs: number;
  /** Encoding one message for one destination, by flat message type (`other`: any type not listed). */
  encodeUs: Readonly<Record<string, number>>;
  /** Decoding one message plus the core's own work on it, crypto excluded, by flat message type. */
  receiveUs: Readonly<Record<string, number>>;
  /** One-way network latency. */
  latencyUs: number;
  /** Period of core.tick(). */
  tickUs: number;
}

/** What the driver needs of a core: the ReplicaCore contract, over any message type M. */
export interface CoreLike<M> {
  tick(): void;
  step(from: ReplicaId, message: M): void;
  propose(request: ClientRequest): unknown;
  executed(seq: number, stateDigest: Uint8Array): void;
  ready(): ReadyLike<M> | null;
  advance(ready: ReadyLike<M>): void;
}

export interface ReadyLike<M> {
  messages: readonly { to: ReplicaId | 'all' | readonly ReplicaId[]; message: M }[];
  committed: readonly { seq: number; requests: readonly unknown[] }[];
}

export interface Topology<M> {
  n: number;
  /** Groups (1 = flat PBFT). */
  g: number;
  createCore(id: ReplicaId, crypto: ConsensusCrypto): CoreLike<M>;
  /** Where a client sends the requests of its `batch`-th batch (flat: the primary; grouped: spread over groups). */
  entryFor(batch: number): ReplicaId;
  /** A short name of a message's kind, for the per-type counts. */
  label(message: M): string;
  /** The flat message type it is or wraps (prices it: a pre-prepare with its batch costs more than a vote). */
  flatType(message: M): string;
  encode(message: M): Uint8Array;
  decode(bytes: Uint8Array): M;
}

export interface DriveOptions<M> {
  topology: Topology<M>;
  cryptoFor(id: ReplicaId, counts: () => CryptoCounts): ConsensusCrypto;
  costs: NodeCosts;
  batches: number;
  requestsPerBatch: number;
  requestBytes: number;
  /** Pass every message through the wire codec (encode, decode) as a real transport would. */
  codec: boolean;
  /** Bound on handled events (a stuck protocol must not loop forever). */
  eventsMax: number;
  /** If given, receives every message sent (the calibration prices the codec on them). */
  record?: (message: M) => void;
  /** Measure the real CPU time of each event kind (the calibration run prices messages with it). */
  timeCpu?: boolean;
}

/** Real CPU spent per event kind, with the crypto calls made inside those events. */
export interface KindTiming extends CryptoCounts {
  events: number;
  cpuUs: number;
}

export interface NodeTally extends CryptoCounts {
  sent: number;
  received: number;
  /** Of those, messages that carry a batch (pre-prepares, decisions). */
  batchSent: number;
  batchReceived: number;
  cpuUs: number;
}

export interface DriveResult {
  n: number;
  g: number;
  complete: boolean;
  /** Client requests executed by every replica (the run's goal: all of them). */
  requestsCommitted: number;
  requests: number;
  /** Batches executed (for grouped PBFT, top-level batches: each may carry several group batches). */
  topBatches: number;
  events: number;
  byType: Record<string, number>;
  nodes: NodeTally[];
  /** Simulated time at which the first (last) replica executed the first batch. */
  firstBatchUs: { first: number; all: number };
  /** Simulated time until every replica executed every batch. */
  makespanUs: number;
  timing: Record<'deliver' | 'tick' | 'propose', KindTiming>;
}

type Event<M> =
  | { kind: 'deliver'; to: ReplicaId; from: ReplicaId; message: M }
  | { kind: 'tick'; to: ReplicaId }
  | { kind: 'propose'; to: ReplicaId; request: ClientRequest };

export function benchRequest(index: number, bytes: number): ClientRequest {
  const body = new Uint8Array(bytes);
  body.set(sha256(new TextEncoder().encode(`bench-request-${index}`)).subarray(0, Math.min(32, bytes)));
  return { submitter: `bench-client-${index % 16}`, seq: Math.floor(index / 16) + 1, body };
}

export function drive<M>(options: DriveOptions<M>): DriveResult {
  return new Driver(options).run();
}

class Driver<M> {
  private readonly o: DriveOptions<M>;
  private readonly cores: CoreLike<M>[] = [];
  private readonly tallies: NodeTally[] = [];
  private readonly busyUntil: number[] = [];
  private readonly executed: number[] = [];
  private readonly executedRequests: number[] = [];
  private readonly queue = new EventQueue<Event<M>>();
  private readonly byType: Record<string, number> = {};
  private readonly firstBatchAt = new Map<ReplicaId, number>();
  private readonly timing: Record<'deliver' | 'tick' | 'propose', KindTiming> = {
    deliver: { ...zeroCounts(), events: 0, cpuUs: 0 },
    tick: { ...zeroCounts(), events: 0, cpuUs: 0 },
    propose: { ...zeroCounts(), events: 0, cpuUs: 0 },
  };
  private current = 0;
  private lastExecutedAt = 0;

  constructor(options: DriveOptions<M>) {
    this.o = options;
    const { n } = options.topology;
    for (let id = 0; id < n; id++) {
      this.tallies.push({ ...zeroCounts(), sent: 0, received: 0, batchSent: 0, batchReceived: 0, cpuUs: 0 });
      this.busyUntil.push(0);
      this.executed.push(0);
      this.executedRequests.push(0);
      const crypto = options.cryptoFor(id, () => this.tallies[this.current]!);
      this.current = id;
      this.cores.push(options.topology.createCore(id, crypto));
      this.queue.push(options.costs.tickUs, { kind: 'tick', to: id });
    }
    const total = options.batches * options.requestsPerBatch;
    for (let i = 0; i < total; i++) {
      const to = options.topology.entryFor(Math.floor(i / options.requestsPerBatch));
      this.queue.push(0, { kind: 'propose', to, request: benchRequest(i, options.requestBytes) });
    }
  }

  private get total(): number {
    return this.o.batches * this.o.requestsPerBatch;
  }

  private get done(): boolean {
    return this.executedRequests.every((count) => count >= this.total);
  }

  run(): DriveResult {
    let events = 0;
    while (!this.done && events < this.o.eventsMax) {
      const next = this.queue.pop();
      if (next === undefined) break;
      events++;
      if (this.o.timeCpu) this.handleTimed(next.at, next.value);
      else this.handle(next.at, next.value);
    }
    // Messages still in flight (the last attests) are part of the batches' cost: deliver them too.
    while (this.done && events < this.o.eventsMax) {
      const next = this.queue.pop();
      if (next === undefined) break;
      if (next.value.kind !== 'deliver') continue;
      events++;
      this.handle(next.at, next.value);
    }
    const { n, g } = this.o.topology;
    return {
      n,
      g,
      complete: this.done,
      requestsCommitted: Math.min(...this.executedRequests),
      requests: this.total,
      topBatches: Math.min(...this.executed),
      events,
      byType: { ...this.byType },
      nodes: this.tallies.map((t) => ({ ...t })),
      firstBatchUs: {
        first: Math.min(...this.firstBatchAt.values()),
        all: this.firstBatchAt.size === n ? Math.max(...this.firstBatchAt.values()) : Number.NaN,
      },
      makespanUs: this.lastExecutedAt,
      timing: this.timing,
    };
  }

  private handleTimed(at: number, event: Event<M>): void {
    const tally = this.tallies[event.to]!;
    const before = { ...tally };
    const start = process.cpuUsage();
    this.handle(at, event);
    const used = process.cpuUsage(start);
    const timing = this.timing[event.kind];
    timing.events++;
    timing.cpuUs += used.user + used.system;
    timing.signs += tally.signs - before.signs;
    timing.verifies += tally.verifies - before.verifies;
    timing.requestVerifies += tally.requestVerifies - before.requestVerifies;
  }

  private handle(at: number, event: Event<M>): void {
    const id = event.to;
    const core = this.cores[id]!;
    const tally = this.tallies[id]!;
    this.current = id;
    const start = Math.max(at, this.busyUntil[id]!);
    const before = { signs: tally.signs, verifies: tally.verifies, requestVerifies: tally.requestVerifies };
    const costs = this.o.costs;
    let cpu = 0;
    if (event.kind === 'deliver') {
      tally.received++;
      const type = this.o.topology.flatType(event.message);
      if (carriesBatch(type)) tally.batchReceived++;
      cpu += priced(costs.receiveUs, type);
      const topology = this.o.topology;
      const message = this.o.codec ? topology.decode(topology.encode(event.message)) : event.message;
      core.step(event.from, message);
    } else if (event.kind === 'tick') {
      core.tick();
      if (!this.done) this.queue.push(at + costs.tickUs, event);
    } else {
      core.propose(event.request);
    }
    const outbound = this.drain(id, core);
    for (const { message } of outbound) cpu += priced(costs.encodeUs, this.o.topology.flatType(message));
    cpu += (tally.signs - before.signs) * costs.signUs;
    cpu +=
      (tally.verifies - before.verifies + tally.requestVerifies - before.requestVerifies) * costs.verifyUs;
    tally.cpuUs += cpu;
    const end = start + cpu;
    this.busyUntil[id] = end;
    for (const { to, message } of outbound) {
      tally.sent++;
      if (carriesBatch(this.o.topology.flatType(message))) tally.batchSent++;
      this.o.record?.(message);
      const label = this.o.topology.label(message);
      this.byType[label] = (this.byType[label] ?? 0) + 1;
      this.queue.push(end + costs.latencyUs, { kind: 'deliver', to, from: id, message });
    }
    this.noteExecution(id, end);
  }

  /** Runs the Ready loop; executes committed batches at once (the application is free here). */
  private drain(id: ReplicaId, core: CoreLike<M>): { to: ReplicaId; message: M }[] {
    const out: { to: ReplicaId; message: M }[] = [];
    const n = this.o.topology.n;
    for (let rounds = 0; rounds < 1000; rounds++) {
      const ready = core.ready();
      if (ready === null) return out;
      for (const { to, message } of ready.messages) {
        if (to === 'all') {
          for (let peer = 0; peer < n; peer++) if (peer !== id) out.push({ to: peer, message });
        } else if (typeof to === 'number') out.push({ to, message });
        else for (const peer of to) out.push({ to: peer, message });
      }
      for (const batch of ready.committed) {
        this.executed[id] = batch.seq;
        this.executedRequests[id]! += batch.requests.length;
        core.executed(batch.seq, sha256(new TextEncoder().encode(`state-${batch.seq}`)));
      }
      core.advance(ready);
    }
    throw new Error(`replica ${id} kept producing Ready for 1000 rounds`);
  }

  private noteExecution(id: ReplicaId, end: number): void {
    if (this.executedRequests[id]! >= 1 && !this.firstBatchAt.has(id)) this.firstBatchAt.set(id, end);
    if (this.executedRequests[id]! >= this.total && end > this.lastExecutedAt) this.lastExecutedAt = end;
  }
}

function priced(table: Readonly<Record<string, number>>, type: string): number {
  return table[type] ?? table.other ?? 0;
}

function carriesBatch(flatType: string): boolean {
  return flatType === 'prePrepare' || flatType === 'batches';
}
