import { SeededRng } from '@suyuan/shared';
import { requestKey } from '../consensus/statements.ts';
import type { ClientRequest, CommittedBatch } from '../consensus/types.ts';
import type { CounterApp } from './app.ts';
import type { Behavior } from './byzantine.ts';
import { describeEvent, type FaultEvent, type FaultKind, planFaults } from './faults.ts';
import type { SafetyChecker } from './invariants.ts';
import { makeRequest } from './keys.ts';
import { SimNetwork } from './network.ts';

/** The driving contract both cores share (flat `ReplicaCore`, grouped `GroupedCore`). */
export interface DriverCore<Rd> {
  tick(): void;
  propose(request: ClientRequest): unknown;
  executed(seq: number, stateDigest: Uint8Array): void;
  ready(): Rd | null;
  advance(ready: Rd): void;
  status(): { view: number; dropped: Record<string, number> };
}

export interface DriverReady<B extends CommittedBatch> {
  persist: unknown[];
  committed: B[];
}

/** A simulated machine as the driver sees it (machine.ts `SimMachine` is one). */
export interface DriverHost<Rd extends { persist: unknown[] }> {
  readonly index: number;
  readonly replica: number;
  readonly behavior: Behavior;
  readonly honest: boolean;
  readonly alive: boolean;
  readonly app: CounterApp;
  core: DriverCore<Rd> | null;
  crash(): void;
  restart(): void;
  persist(records: Rd['persist']): void;
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

export interface DriverSettings<H> {
  seed: number;
  faults: readonly FaultKind[];
  /** Client requests in the run, from `submitters` clients in turn. */
  requests: number;
  submitters: number;
  healTick: number;
  /** After healing, every request must execute everywhere honest within this many ticks. */
  livenessTicks: number;
  crashable: (host: H) => boolean;
  /** Most crashable hosts down at once. */
  crashMax: number;
  checker: SafetyChecker;
}

/**
 * The simulator's run loop, shared by the flat and the grouped modes: virtual time, the fault
 * schedule, delivery, ticks, client requests and retries, the driving contract (persist, send,
 * apply, advance) and the safety checks common to both. All randomness comes from one
 * `SeededRng(seed)`, forked in a fixed order (hosts, network, faults, requests), so a seed's run is
 * byte-identical every time. A mode supplies its hosts and what differs: decoding and routing
 * messages, byzantine rewrites, and its own checks on committed batches and state certificates.
 */
export abstract class SimDriver<
  B extends CommittedBatch,
  Rd extends DriverReady<B>,
  H extends DriverHost<Rd>,
> {
  protected readonly rng: SeededRng;
  protected readonly hosts: readonly H[];
  protected readonly network: SimNetwork;
  protected readonly checker: SafetyChecker;
  protected now = 0;
  private readonly seed: number;
  private readonly schedule: FaultEvent[];
  private readonly requests: { request: ClientRequest; at: number; key: string }[] = [];
  private readonly healTick: number;
  private readonly deadline: number;

  constructor(settings: DriverSettings<H>, makeHosts: (rng: SeededRng) => H[]) {
    this.seed = settings.seed;
    this.rng = new SeededRng(settings.seed);
    this.hosts = makeHosts(this.rng);
    this.network = new SimNetwork(this.rng.fork());
    this.checker = settings.checker;
    this.healTick = settings.healTick;
    this.deadline = this.healTick + settings.livenessTicks;
    this.schedule = planFaults({
      rng: this.rng.fork(),
      kinds: settings.faults,
      hosts: this.hosts.length,
      crashable: this.hosts.filter(settings.crashable).map((h) => h.index),
      crashMax: settings.crashMax,
      healTick: this.healTick,
    });
    const { submitters } = settings;
    for (let i = 0; i < settings.requests; i++) {
      const request = makeRequest(`client-${i % submitters}`, Math.floor(i / submitters) + 1, `op-${i}`);
      this.requests.push({
        request,
        at: this.rng.int(Math.floor(this.healTick * 0.8)),
        key: requestKey(request),
      });
    }
  }

  /** Decodes a packet for `to` (alive) and steps its core, or answers it. */
  protected abstract deliver(from: H, to: H, bytes: Uint8Array): void;
  /** Sends the messages of a ready (before its batches execute). */
  protected abstract sendReady(host: H, rd: Rd): void;
  /** Checks on a committed batch an honest host is about to execute. */
  protected abstract checkCommitted(host: H, batch: B): void;
  /** After a ready's batches executed: state certificates, fetches. */
  protected abstract afterExecute(host: H, rd: Rd): void;
  protected abstract describeHost(host: H): string;

  /** Where a new client request goes (default: a random host). */
  protected entryHost(): H {
    return this.hosts[this.rng.int(this.hosts.length)]!;
  }

  /** Whether a client retry goes to this host (default: every host, the PBFT client's broadcast). */
  protected retriesAt(_host: H): boolean {
    return true;
  }

  run(): SimResult {
    let events = [...this.schedule];
    let done = false;
    while (!done && this.now < this.deadline) {
      this.now++;
      events = this.applyEvents(events);
      for (const packet of this.network.due(this.now)) {
        const to = this.hosts[packet.to]!;
        if (to.core !== null) this.deliver(this.hosts[packet.from]!, to, packet.bytes);
      }
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

  /** The driving loop of the contract: persist, send, apply, certificates and fetches, advance. */
  protected drain(host: H): void {
    for (let guard = 0; guard < 1000; guard++) {
      const core = host.core;
      if (core === null) return;
      const rd = core.ready();
      if (rd === null) break;
      host.persist(rd.persist);
      this.sendReady(host, rd);
      for (const batch of rd.committed) {
        if (host.honest) this.checkCommitted(host, batch);
        if (batch.seq !== host.app.lastApplied + 1) continue;
        const { stateDigest } = host.app.applyBatch(batch);
        if (host.honest)
          this.checker.onExecuted(this.now, host.replica, batch.seq, stateDigest, host.app.effects);
        core.executed(batch.seq, stateDigest);
      }
      this.afterExecute(host, rd);
      core.advance(rd);
    }
    if (host.core !== null && host.honest)
      this.checker.onView(this.now, host.replica, host.core.status().view);
  }

  private result(violations: string[]): SimResult {
    let dropped = 0;
    let maxView = 0;
    for (const h of this.hosts) {
      const st = h.core?.status();
      if (st === undefined) continue;
      maxView = Math.max(maxView, st.view);
      for (const count of Object.values(st.dropped)) dropped += count;
    }
    const committedSeqs = Math.max(...this.hosts.filter((h) => h.honest).map((h) => h.app.lastApplied));
    return {
      seed: this.seed,
      ok: violations.length === 0,
      violations,
      schedule: this.schedule.map(describeEvent),
      ticks: this.now,
      stats: { committedSeqs, messages: this.network.sent, lost: this.network.lost, maxView, dropped },
      hosts: this.hosts.map((h) => this.describeHost(h)),
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

  private restart(host: H): void {
    if (host.alive) return;
    host.restart();
    this.drain(host);
  }

  private submitRequests(): void {
    const retry = this.now % 60 === 0;
    for (const r of this.requests) {
      if (r.at === this.now) {
        const host = this.entryHost();
        host.core?.propose(r.request);
        this.drain(host);
      } else if (retry && r.at < this.now && !this.executedEverywhere(r.key)) {
        // A client that saw no receipt retries at every replica (or at its one entry replica).
        for (const host of this.hosts) {
          if (!this.retriesAt(host)) continue;
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
