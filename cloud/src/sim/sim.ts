import type { SeededRng } from '@suyuan/shared';
import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import { defaultConsensusConfig } from '../consensus/config.ts';
import type { CommittedBatch, ConsensusConfig, ConsensusMessage, Ready } from '../consensus/types.ts';
import { type Behavior, misbehave } from './byzantine.ts';
import { SimDriver, type SimResult } from './driver.ts';
import type { FaultKind } from './faults.ts';
import { describeFlatHost, SimHost } from './host.ts';
import { SafetyChecker } from './invariants.ts';
import { simCrypto, simKeys } from './keys.ts';

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

export type { SimResult } from './driver.ts';

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

/** Flat PBFT on the shared driver (driver.ts): n `ReplicaCore`s, twins as two hosts of one id. */
class Simulation extends SimDriver<CommittedBatch, Ready, SimHost> {
  private readonly options: SimOptions;

  constructor(options: SimOptions) {
    const keys = simKeys(options.n);
    const config = simConfig(options.n, options.config);
    const byzantine = options.byzantine ?? new Map<number, Behavior>();
    const makeHosts = (rng: SeededRng): SimHost[] => {
      const hosts: SimHost[] = [];
      for (let replica = 0; replica < options.n; replica++) {
        const behavior = byzantine.get(replica) ?? 'honest';
        const copies = behavior === 'twin' ? 2 : 1;
        for (let c = 0; c < copies; c++) {
          const crypto = simCrypto(keys, replica);
          hosts.push(
            new SimHost({ index: hosts.length, replica, behavior, crypto, config, rng: rng.fork() }),
          );
        }
      }
      return hosts;
    };
    super(
      {
        seed: options.seed,
        faults: options.faults,
        requests: options.requests ?? 24,
        submitters: 3,
        healTick: options.healTick ?? 300,
        livenessTicks: options.livenessTicks ?? 3000,
        crashable: (h) => h.honest,
        crashMax: options.crashMax ?? Math.floor((options.n - 1) / 3),
        checker: new SafetyChecker(keys.publicKeys, simCrypto(keys, 0)),
      },
      makeHosts,
    );
    this.options = options;
  }

  protected deliver(sender: SimHost, host: SimHost, bytes: Uint8Array): void {
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
      this.transmit(host, sender.index, reply);
      return;
    }
    host.core?.step(sender.replica, message);
    this.drain(host);
  }

  protected sendReady(host: SimHost, rd: Ready): void {
    for (const out of rd.messages) {
      if (host.honest) this.checker.onSent(this.now, host.replica, out.message);
      const targets = out.to === 'all' ? this.hostsExcept(host) : this.hostsOf(out.to);
      for (const target of targets) this.transmit(host, target, out.message);
    }
  }

  protected checkCommitted(host: SimHost, batch: CommittedBatch): void {
    this.checker.onCommitted(this.now, host.replica, batch, host.app.lastApplied);
  }

  protected afterExecute(host: SimHost, rd: Ready): void {
    for (const cert of rd.certified) if (host.honest) this.checker.onCertified(this.now, host.replica, cert);
    for (const fetch of rd.fetches) {
      const request: ConsensusMessage = {
        type: 'fetchBatches',
        fromSeq: fetch.fromSeq,
        toSeq: fetch.toSeq,
        replica: host.replica,
      };
      for (const target of this.hostsOf(fetch.from).slice(0, 1)) this.transmit(host, target, request);
    }
  }

  protected describeHost(host: SimHost): string {
    return describeFlatHost(host);
  }

  /** With `entryReplica`, every submission and retry goes to that replica only. */
  protected override entryHost(): SimHost {
    const entry = this.options.entryReplica;
    return entry === undefined ? super.entryHost() : this.hosts[this.hostsOf(entry)[0]!]!;
  }

  protected override retriesAt(host: SimHost): boolean {
    const entry = this.options.entryReplica;
    return entry === undefined || host.replica === entry;
  }

  private transmit(host: SimHost, target: number, message: ConsensusMessage): void {
    const ctx = { rng: host.rng, crypto: host.crypto, replica: host.replica, n: this.options.n };
    const outs = host.honest
      ? [{ to: target, bytes: encodeMessage(message) }]
      : misbehave(host.behavior, ctx, target, message);
    for (const out of outs) this.network.send(this.now, host.index, out.to, out.bytes);
  }

  /** The host of a replica id (a twin's two hosts: one of them at random). */
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
}
