import { SeededRng } from '@suyuan/shared';
import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import { defaultConsensusConfig } from '../consensus/config.ts';
import { requestKey } from '../consensus/statements.ts';
import type { ClientRequest, ConsensusConfig, ConsensusMessage, Ready } from '../consensus/types.ts';
import { type Behavior, misbehave } from './byzantine.ts';
import { describeEvent, type FaultEvent, type FaultKind, planFaults } from './faults.ts';
import { SimHost } from './host.ts';
import { SafetyChecker } from './invariants.ts';
import { makeRequest, simCrypto, simKeys } from './keys.ts';
import { SimNetwork } from './network.ts';

export interface SimOptions {
  seed: number;
  n: number;
  faults: readonly FaultKind[];
  /** Byzantine replicas (at most f): replica id → behaviour. */
  byzantine?: ReadonlyMap<number, Behavior>;
  requests?: number;
  healTick?: number;
  /** After healing, every request must execute everywhere honest within this many ticks. */
  livenessTicks?: number;
  /** Most honest hosts down at once (default f; more is fine for safety, stalls until healing). */
  crashMax?: number;
  config?: Partial<ConsensusConfig>;
  /**
   * Every submission and every retry goes to this replica only, like a gateway that sticks to the
   * one replica that accepted its request. Default: a random host, and retries at every replica
   * (the PBFT client's broadcast after a timeout).
   */
  entryReplica?: number;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  violations: string[];
  schedule: string[];
  ticks: number;
  stats: { committedSeqs: number; messages: number; lost: number; maxView: number; dropped: number };
  /** Final state per host, for diagnosing a failed seed. */
  hosts: string[];
}

/** Small limits so view changes, checkpoints, truncation and window stalls all happen in short runs. */
export function simConfig(n: number, overrides: Partial<ConsensusConfig> = {}): ConsensusConfig {
  return defaultConsensusConfig(simKeys(n).publicKeys, {
    checkpointInterval: 4,
    watermarkWindow: 12,
    batchRequestsMax: 3,
    batchBytesMax: 4096,
    batchDelayTicks: 2,
    viewChangeTimeoutTicks: 40,
    viewChangeTimeoutTicksMax: 320,
    pendingRequestsMax: 256,
    inflightBatchesMax: 4,
    retransmitTicks: 10,
    fetchTimeoutTicks: 25,
    fetchBatchesMax: 6,
    ...overrides,
  });
}

/** One deterministic run: same options, same result, byte for byte. */
export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

class Simulation {
  private readonly rng: SeededRng;
  private readonly hosts: SimHost[] = [];
  private readonly network: SimNetwork;
  private readonly checker: SafetyChecker;
  private readonly schedule: FaultEvent[];
  private readonly requests: { request: ClientRequest; at: number; key: string }[] = [];
  private readonly healTick: number;
  private readonly deadline: number;
  private now = 0;
  private readonly options: SimOptions;

  constructor(options: SimOptions) {
    this.options = options;
    this.rng = new SeededRng(options.seed);
    const keys = simKeys(options.n);
    const config = simConfig(options.n, options.config);
    const byzantine = options.byzantine ?? new Map<number, Behavior>();
    for (let replica = 0; replica < options.n; replica++) {
      const behavior = byzantine.get(replica) ?? 'honest';
      const copies = behavior === 'twin' ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const index = this.hosts.length;
        const crypto = simCrypto(keys, replica);
        this.hosts.push(new SimHost({ index, replica, behavior, crypto, config, rng: this.rng.fork() }));
      }
    }
    this.network = new SimNetwork(this.rng.fork());
    this.checker = new SafetyChecker(keys.publicKeys, simCrypto(keys, 0));
    this.healTick = options.healTick ?? 300;
    this.deadline = this.healTick + (options.livenessTicks ?? 3000);
    const f = Math.floor((options.n - 1) / 3);
    const honest = this.hosts.filter((h) => h.honest).map((h) => h.index);
    this.schedule = planFaults({
      rng: this.rng.fork(),
      kinds: options.faults,
      hosts: this.hosts.length,
      crashable: honest,
      crashMax: options.crashMax ?? f,
      healTick: this.healTick,
    });
    const count = options.requests ?? 24;
    for (let i = 0; i < count; i++) {
      const submitter = `client-${i % 3}`;
      const request = makeRequest(submitter, Math.floor(i / 3) + 1, `op-${i}`);
      this.requests.push({
        request,
        at: this.rng.int(Math.floor(this.healTick * 0.8)),
        key: requestKey(request),
      });
    }
  }

  run(): SimResult {
    let events = [...this.schedule];
    let done = false;
    while (!done && this.now < this.deadline) {
      this.now++;
      events = this.applyEvents(events);
      for (const packet of this.network.due(this.now)) this.deliver(packet.from, packet.to, packet.bytes);
      for (const host of this.hosts) {
        if (host.core === null) continue;
        host.core.tick();
        this.drain(host);
      }
      this.submitRequests();
      if (this.now >= this.healTick) done = this.allExecuted();
      if (this.checker.violations.length > 0) break;
    }
    const violations = [...this.checker.violations];
    if (violations.length === 0 && !done) {
      violations.push(`liveness: not every request executed on every honest replica by t=${this.deadline}`);
    }
    return this.result(violations);
  }

  private result(violations: string[]): SimResult {
    let dropped = 0;
    let maxView = 0;
    for (const h of this.hosts) {
      const status = h.core?.status();
      if (status === undefined) continue;
      maxView = Math.max(maxView, status.view);
      for (const count of Object.values(status.dropped)) dropped += count;
    }
    const committedSeqs = Math.max(...this.hosts.filter((h) => h.honest).map((h) => h.app.lastApplied));
    return {
      seed: this.options.seed,
      ok: violations.length === 0,
      violations,
      schedule: this.schedule.map(describeEvent),
      ticks: this.now,
      stats: { committedSeqs, messages: this.network.sent, lost: this.network.lost, maxView, dropped },
      hosts: this.hosts.map((h) => {
        const st = h.core?.status();
        const state =
          st === undefined
            ? 'down'
            : `view=${st.view}${st.inViewChange ? '(vc)' : ''} exec=${st.lastExecuted} low=${st.lowWatermark} pending=${st.pendingRequests} dropped=${JSON.stringify(st.dropped)}`;
        return `host ${h.index} replica ${h.replica} ${h.behavior} applied=${h.app.lastApplied} ${state}`;
      }),
    };
  }

  private applyEvents(events: FaultEvent[]): FaultEvent[] {
    while (events.length > 0 && events[0]!.at <= this.now) {
      const e = events.shift()!;
      const c = this.network.conditions;
      if (e.kind === 'conditions') {
        this.network.conditions = {
          ...c,
          lossRate: e.lossRate,
          duplicateRate: e.duplicateRate,
          delayTicksMax: e.delayTicksMax,
        };
      } else if (e.kind === 'cut') for (const [a, b] of e.pairs) c.blocked.add(`${a}>${b}`);
      else if (e.kind === 'uncut') for (const [a, b] of e.pairs) c.blocked.delete(`${a}>${b}`);
      else if (e.kind === 'crash') {
        this.hosts[e.host]!.crash();
        this.network.dropTo(e.host);
      } else if (e.kind === 'restart') this.restart(this.hosts[e.host]!);
      else {
        this.network.conditions = { lossRate: 0, duplicateRate: 0, delayTicksMax: 2, blocked: new Set() };
        for (const h of this.hosts) if (!h.alive) this.restart(h);
      }
    }
    return events;
  }

  private restart(host: SimHost): void {
    if (host.alive) return;
    host.restart();
    this.drain(host);
  }

  private deliver(fromHost: number, toHost: number, bytes: Uint8Array): void {
    const host = this.hosts[toHost]!;
    if (host.core === null) return;
    const sender = this.hosts[fromHost]!;
    let message: ConsensusMessage;
    try {
      message = decodeMessage(bytes);
    } catch {
      return; // counted by the network as delivered garbage; a real driver logs and drops it
    }
    if (message.type === 'fetchBatches') {
      if (message.replica !== sender.replica) return;
      const batches = host.app.batchesFor(message.fromSeq, message.toSeq, 16);
      const reply: ConsensusMessage = { type: 'batches', batches, replica: host.replica };
      this.transmit(host, fromHost, reply);
      return;
    }
    host.core.step(sender.replica, message);
    this.drain(host);
  }

  /** The driving loop of the contract: persist, send, apply, publish, fetch, advance. */
  private drain(host: SimHost): void {
    for (let guard = 0; guard < 1000; guard++) {
      const core = host.core;
      if (core === null) return;
      const rd: Ready | null = core.ready();
      if (rd === null) break;
      host.persist(rd.persist);
      for (const out of rd.messages) {
        if (host.honest) this.checker.onSent(this.now, host.replica, out.message);
        const targets = out.to === 'all' ? this.hostsExcept(host) : this.hostsOf(out.to);
        for (const target of targets) this.transmit(host, target, out.message);
      }
      for (const batch of rd.committed) {
        if (host.honest) this.checker.onCommitted(this.now, host.replica, batch, host.app.lastApplied);
        if (batch.seq !== host.app.lastApplied + 1) continue;
        const { stateDigest } = host.app.applyBatch(batch);
        if (host.honest)
          this.checker.onExecuted(this.now, host.replica, batch.seq, stateDigest, host.app.effects);
        core.executed(batch.seq, stateDigest);
      }
      for (const cert of rd.certified)
        if (host.honest) this.checker.onCertified(this.now, host.replica, cert);
      for (const fetch of rd.fetches) {
        const request: ConsensusMessage = {
          type: 'fetchBatches',
          fromSeq: fetch.fromSeq,
          toSeq: fetch.toSeq,
          replica: host.replica,
        };
        for (const target of this.hostsOf(fetch.from).slice(0, 1)) this.transmit(host, target, request);
      }
      core.advance(rd);
    }
    if (host.core !== null && host.honest)
      this.checker.onView(this.now, host.replica, host.core.status().view);
  }

  private transmit(host: SimHost, target: number, message: ConsensusMessage): void {
    const ctx = { rng: host.rng, crypto: host.crypto, replica: host.replica, n: this.options.n };
    const outs = host.honest
      ? [{ to: target, bytes: encodeMessage(message) }]
      : misbehave(host.behavior, ctx, target, message);
    for (const out of outs) this.network.send(this.now, host.index, out.to, out.bytes);
  }

  private hostsOf(replica: number): number[] {
    const all = this.hosts.filter((h) => h.replica === replica).map((h) => h.index);
    return all.length > 1 ? [this.rng.pick(all)] : all;
  }

  private hostsExcept(host: SimHost): number[] {
    const out: number[] = [];
    for (let replica = 0; replica < this.options.n; replica++)
      if (replica !== host.replica) out.push(...this.hostsOf(replica));
    return out;
  }

  private submitRequests(): void {
    const retry = this.now % 60 === 0;
    const entry = this.options.entryReplica;
    for (const r of this.requests) {
      if (r.at === this.now) {
        const host =
          entry === undefined
            ? this.hosts[this.rng.int(this.hosts.length)]!
            : this.hosts[this.hostsOf(entry)[0]!]!;
        host.core?.propose(r.request);
        this.drain(host);
      } else if (retry && r.at < this.now && !this.executedEverywhere(r.key)) {
        // A client that saw no receipt retries at every replica (or at its one entry replica).
        for (const host of this.hosts) {
          if (entry !== undefined && host.replica !== entry) continue;
          host.core?.propose(r.request);
          this.drain(host);
        }
      }
    }
  }

  private executedEverywhere(key: string): boolean {
    return this.hosts.every((h) => !h.honest || h.app.effects.has(key));
  }

  private allExecuted(): boolean {
    return this.requests.every((r) => r.at < this.now && this.executedEverywhere(r.key));
  }
}
