import { concatBytes, SeededRng } from '@suyuan/shared';
import { defaultConsensusConfig } from '../consensus/config.ts';
import { encodeRequests, requestKey } from '../consensus/statements.ts';
import type { ClientRequest, ConsensusConfig, ConsensusCrypto } from '../consensus/types.ts';
import {
  decodeGroupedMessage,
  encodeGroupedMessage,
  type GpbftConfig,
  type GroupedMessage,
  type GroupLayout,
  groupCrypto,
  type LayerKeys,
  placementOf,
  SignerHints,
  topCrypto,
} from '../gpbft/index.ts';
import { type Behavior, misbehave } from './byzantine.ts';
import { describeEvent, type FaultEvent, type FaultKind, planFaults } from './faults.ts';
import { describeHost, FinalOrderChecker } from './gpbft-checks.ts';
import { GpbftHost } from './gpbft-host.ts';
import { SafetyChecker } from './invariants.ts';
import { makeRequest, memoVerify, simCrypto, simKeys, simVerifyRequest } from './keys.ts';
import { SimNetwork } from './network.ts';
import { type SimResult, simConfig } from './sim.ts';

export interface GpbftSimOptions {
  seed: number;
  layout: GroupLayout;
  faults: readonly FaultKind[];
  /** Byzantine replicas (global id → behaviour); the scenario keeps them within tolerance. */
  byzantine?: ReadonlyMap<number, Behavior>;
  /** Replicas that may crash (default: every honest one) and how many at once (default 1). */
  crashable?: readonly number[];
  crashMax?: number;
  requests?: number;
  healTick?: number;
  livenessTicks?: number;
  config?: Partial<ConsensusConfig>;
  /** TEST ONLY: planted bugs — the top level / every group commits on this many votes. */
  unsafeTopCommitQuorum?: number;
  unsafeGroupCommitQuorum?: number;
}

/** One deterministic grouped-PBFT run: same options, same result. */
export function runGpbftSimulation(options: GpbftSimOptions): SimResult {
  return new GpbftSimulation(options).run();
}

class GpbftSimulation {
  private readonly rng: SeededRng;
  private readonly hosts: GpbftHost[] = [];
  /** Host indexes per replica id: two for a twin (same key and id, independent state). */
  private readonly hostsOf: number[][] = [];
  private readonly network: SimNetwork;
  private readonly checker: SafetyChecker;
  private readonly schedule: FaultEvent[];
  private readonly requests: { request: ClientRequest; at: number; key: string }[] = [];
  private readonly healTick: number;
  private readonly deadline: number;
  private readonly keys: LayerKeys;
  private readonly hints: SignerHints;
  private finalOrder!: FinalOrderChecker;
  private now = 0;
  private readonly options: GpbftSimOptions;

  constructor(options: GpbftSimOptions) {
    this.options = options;
    this.rng = new SeededRng(options.seed);
    const n = options.layout.groups.flat().length;
    const keys = simKeys(n);
    const flat = simConfig(n, options.config);
    const { n: _n, replicaPublicKeys: _k, quorum: _q, ...knobs } = flat;
    const consensus: Partial<ConsensusConfig> = { ...knobs };
    const config: GpbftConfig = { layout: options.layout, publicKeys: keys.publicKeys, consensus };
    if (options.unsafeTopCommitQuorum !== undefined)
      config.unsafeTopCommitQuorum = options.unsafeTopCommitQuorum;
    if (options.unsafeGroupCommitQuorum !== undefined)
      config.unsafeGroupCommitQuorum = options.unsafeGroupCommitQuorum;
    this.keys = {
      layout: options.layout,
      publicKeys: keys.publicKeys,
      sign: () => new Uint8Array(64),
      verifyGlobal: (signer, message, signature) => {
        const key = keys.publicKeys[signer];
        return key !== undefined && memoVerify(key, signer, message, signature);
      },
    };
    this.hints = new SignerHints(options.layout);
    const byzantine = options.byzantine ?? new Map<number, Behavior>();
    for (let replica = 0; replica < n; replica++) {
      const behavior = byzantine.get(replica) ?? 'honest';
      const own: LayerKeys = { ...this.keys, sign: simCrypto(keys, replica).sign };
      const { group } = placementOf(options.layout, replica);
      const gCrypto = groupCrypto(own, group, simVerifyRequest);
      const tCrypto =
        options.layout.groups.length > 1
          ? topCrypto(own, new SignerHints(options.layout), encodeRequests)
          : null;
      const copies = behavior === 'twin' ? 2 : 1;
      this.hostsOf.push([]);
      for (let c = 0; c < copies; c++) {
        const index = this.hosts.length;
        this.hostsOf[replica]!.push(index);
        this.hosts.push(
          new GpbftHost({
            index,
            replica,
            behavior,
            keys,
            config,
            rng: this.rng.fork(),
            groupCrypto: gCrypto,
            topCrypto: tCrypto,
          }),
        );
      }
    }
    this.network = new SimNetwork(this.rng.fork());
    this.checker = new SafetyChecker(keys.publicKeys, simCrypto(keys, 0));
    this.finalOrder = new FinalOrderChecker(this.checker, this.keys, this.hints);
    this.healTick = options.healTick ?? 300;
    this.deadline = this.healTick + (options.livenessTicks ?? 4000);
    const crashable = this.hosts
      .filter((h) => h.honest && (options.crashable?.includes(h.replica) ?? true))
      .map((h) => h.index);
    this.schedule = planFaults({
      rng: this.rng.fork(),
      kinds: options.faults,
      hosts: this.hosts.length,
      crashable,
      crashMax: options.crashMax ?? 1,
      healTick: this.healTick,
    });
    const count = options.requests ?? 24;
    for (let i = 0; i < count; i++) {
      const submitter = `client-${i % 5}`;
      const request = makeRequest(submitter, Math.floor(i / 5) + 1, `op-${i}`);
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
      const st = h.core?.status();
      if (st === undefined) continue;
      maxView = Math.max(maxView, st.view);
      for (const count of Object.values(st.dropped)) dropped += count;
    }
    const committedSeqs = Math.max(...this.hosts.filter((h) => h.honest).map((h) => h.app.lastApplied));
    return {
      seed: this.options.seed,
      ok: violations.length === 0,
      violations,
      schedule: this.schedule.map(describeEvent),
      ticks: this.now,
      stats: { committedSeqs, messages: this.network.sent, lost: this.network.lost, maxView, dropped },
      hosts: this.hosts.map(describeHost),
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

  private restart(host: GpbftHost): void {
    if (host.alive) return;
    host.restart();
    this.drain(host);
  }

  /** `from` and `to` are host indexes; the node sees the sender's replica id. */
  private deliver(from: number, to: number, bytes: Uint8Array): void {
    const host = this.hosts[to]!;
    const sender = this.hosts[from]!.replica;
    if (host.core === null) return;
    let message: GroupedMessage;
    try {
      message = decodeGroupedMessage(bytes);
    } catch {
      return;
    }
    host.core.step(sender, message);
    this.drain(host);
  }

  private drain(host: GpbftHost): void {
    for (let guard = 0; guard < 1000; guard++) {
      const core = host.core;
      if (core === null) return;
      const rd = core.ready();
      if (rd === null) break;
      host.persist(rd.persist);
      for (const out of rd.messages) {
        if (host.honest) this.onSent(host, out.message);
        for (const target of out.to) this.transmit(host, target, out.message);
      }
      for (const batch of rd.committed) {
        if (host.honest) {
          this.finalOrder.onCommitted(this.now, host.replica, batch, host.app.lastApplied);
        }
        if (batch.seq !== host.app.lastApplied + 1) continue;
        const { stateDigest } = host.app.applyBatch(batch);
        if (host.honest)
          this.checker.onExecuted(this.now, host.replica, batch.seq, stateDigest, host.app.effects);
        core.executed(batch.seq, stateDigest);
      }
      core.advance(rd);
    }
    if (host.core !== null && host.honest)
      this.checker.onView(this.now, host.replica, host.core.status().view);
  }

  /** Honest replicas never sign two digests for one (layer, kind, view, seq) — keyed by real signer. */
  private onSent(host: GpbftHost, m: GroupedMessage): void {
    if (m.layer !== 'group' && m.layer !== 'top') return;
    const layerId = m.layer === 'group' ? host.replica * 2 : host.replica * 2 + 1;
    this.checker.onSent(this.now, layerId, m.message);
  }

  private transmit(host: GpbftHost, target: number, message: GroupedMessage): void {
    if (host.honest || host.behavior === 'twin') {
      this.sendTo(host, target, encodeGroupedMessage(message));
      return;
    }
    if (message.layer !== 'group' && message.layer !== 'top') {
      if (host.behavior !== 'silent') this.sendTo(host, target, encodeGroupedMessage(message));
      return;
    }
    const { group, member } = placementOf(this.options.layout, host.replica);
    const top = message.layer === 'top';
    const crypto: ConsensusCrypto | null = top ? host.topCrypto : host.groupCrypto;
    if (crypto === null) return;
    const n = top ? this.options.layout.groups.length : this.options.layout.groups[group]!.length;
    const ctx = { rng: host.rng, crypto, replica: top ? group : member, n };
    const tag = Uint8Array.of(top ? 2 : 1);
    for (const out of misbehave(host.behavior, ctx, target, message.message)) {
      this.sendTo(host, out.to, concatBytes(tag, out.bytes));
    }
  }

  /** To every host of replica `target` (both twins). */
  private sendTo(host: GpbftHost, target: number, bytes: Uint8Array): void {
    for (const index of this.hostsOf[target] ?? []) this.network.send(this.now, host.index, index, bytes);
  }

  private submitRequests(): void {
    const retry = this.now % 60 === 0;
    for (const r of this.requests) {
      if (r.at === this.now) {
        const host = this.hosts[this.rng.int(this.hosts.length)]!;
        host.core?.propose(r.request);
        this.drain(host);
      } else if (retry && r.at < this.now && !this.executedEverywhere(r.key)) {
        for (const host of this.hosts) {
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

/** Flat knobs minus n/keys/quorum, for callers building a GpbftConfig from the sim's settings. */
export function gpbftSimKnobs(n: number, overrides: Partial<ConsensusConfig> = {}): Partial<ConsensusConfig> {
  const {
    n: _n,
    replicaPublicKeys: _k,
    quorum: _q,
    ...knobs
  } = defaultConsensusConfig(simKeys(n).publicKeys, {
    ...simConfig(n),
    ...overrides,
  });
  return knobs;
}
