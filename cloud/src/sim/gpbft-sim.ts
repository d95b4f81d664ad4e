import type { SeededRng } from '@suyuan/shared';
import { defaultConsensusConfig } from '../consensus/config.ts';
import { encodeRequests } from '../consensus/statements.ts';
import type { ConsensusConfig } from '../consensus/types.ts';
import {
  decodeGroupedMessage,
  encodeGroupedMessage,
  type GpbftConfig,
  type GroupedCommittedBatch,
  type GroupedMessage,
  type GroupedReady,
  type GroupLayout,
  groupCrypto,
  type LayerKeys,
  placementOf,
  SignerHints,
  topCrypto,
} from '../gpbft/index.ts';
import type { Behavior } from './byzantine.ts';
import { SimDriver, type SimResult } from './driver.ts';
import type { FaultKind } from './faults.ts';
import { misbehaveGrouped } from './gpbft-byzantine.ts';
import { GroupedCertificateChecker } from './gpbft-certificates.ts';
import { FinalOrderChecker } from './gpbft-checks.ts';
import { describeGpbftHost, GpbftHost } from './gpbft-host.ts';
import { SafetyChecker } from './invariants.ts';
import { memoVerify, simCrypto, simKeys, simVerifyRequest } from './keys.ts';
import { simConfig } from './sim.ts';

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
  /** TEST ONLY: planted bug — members accept a top state certificate signed by this many groups. */
  unsafeCertificateQuorum?: number;
}

/** One deterministic grouped-PBFT run: same options, same result. */
export function runGpbftSimulation(options: GpbftSimOptions): SimResult {
  return new GpbftSimulation(options).run();
}

/** The grouped node's settings and the layer keys the checks use, from a run's options. */
function gpbftSetup(options: GpbftSimOptions): { config: GpbftConfig; keys: LayerKeys } {
  const n = options.layout.groups.flat().length;
  const sim = simKeys(n);
  const { n: _n, replicaPublicKeys: _k, quorum: _q, ...knobs } = simConfig(n, options.config);
  const consensus: Partial<ConsensusConfig> = { ...knobs };
  const config: GpbftConfig = { layout: options.layout, publicKeys: sim.publicKeys, consensus };
  if (options.unsafeTopCommitQuorum !== undefined)
    config.unsafeTopCommitQuorum = options.unsafeTopCommitQuorum;
  if (options.unsafeGroupCommitQuorum !== undefined)
    config.unsafeGroupCommitQuorum = options.unsafeGroupCommitQuorum;
  if (options.unsafeCertificateQuorum !== undefined)
    config.unsafeCertificateQuorum = options.unsafeCertificateQuorum;
  const keys: LayerKeys = {
    layout: options.layout,
    publicKeys: sim.publicKeys,
    sign: () => new Uint8Array(64),
    verifyGlobal: (signer, message, signature) => {
      const key = sim.publicKeys[signer];
      return key !== undefined && memoVerify(key, signer, message, signature);
    },
  };
  return { config, keys };
}

/** Grouped PBFT on the shared driver (driver.ts): N `GroupedCore` nodes in the run's layout. */
class GpbftSimulation extends SimDriver<GroupedCommittedBatch, GroupedReady, GpbftHost> {
  /** Host indexes per replica id: two for a twin (same key and id, independent state). */
  private readonly hostsOf: number[][] = [];
  private readonly finalOrder: FinalOrderChecker;
  private readonly certificates: GroupedCertificateChecker;
  private readonly options: GpbftSimOptions;

  constructor(options: GpbftSimOptions) {
    const n = options.layout.groups.flat().length;
    const keys = simKeys(n);
    const setup = gpbftSetup(options);
    const byzantine = options.byzantine ?? new Map<number, Behavior>();
    const makeHosts = (rng: SeededRng): GpbftHost[] => {
      const hosts: GpbftHost[] = [];
      for (let replica = 0; replica < n; replica++) {
        const behavior = byzantine.get(replica) ?? 'honest';
        const own: LayerKeys = { ...setup.keys, sign: simCrypto(keys, replica).sign };
        const { group } = placementOf(options.layout, replica);
        const gCrypto = groupCrypto(own, group, simVerifyRequest);
        const tCrypto =
          options.layout.groups.length > 1
            ? topCrypto(own, new SignerHints(options.layout), encodeRequests)
            : null;
        const copies = behavior === 'twin' ? 2 : 1;
        for (let c = 0; c < copies; c++) {
          const host = { index: hosts.length, replica, behavior, keys, config: setup.config };
          hosts.push(new GpbftHost({ ...host, rng: rng.fork(), groupCrypto: gCrypto, topCrypto: tCrypto }));
        }
      }
      return hosts;
    };
    const checker = new SafetyChecker(keys.publicKeys, simCrypto(keys, 0));
    super(
      {
        seed: options.seed,
        faults: options.faults,
        requests: options.requests ?? 24,
        submitters: 5,
        healTick: options.healTick ?? 300,
        livenessTicks: options.livenessTicks ?? 4000,
        crashable: (h) => h.honest && (options.crashable?.includes(h.replica) ?? true),
        crashMax: options.crashMax ?? 1,
        checker,
      },
      makeHosts,
    );
    this.options = options;
    for (const h of this.hosts) this.hostsOf[h.replica] = [...(this.hostsOf[h.replica] ?? []), h.index];
    this.finalOrder = new FinalOrderChecker(checker, setup.keys, new SignerHints(options.layout));
    this.certificates = new GroupedCertificateChecker(checker, keys.publicKeys, options.layout);
  }

  /** `from` and `to` are hosts; the node sees the sender's replica id. */
  protected deliver(from: GpbftHost, to: GpbftHost, bytes: Uint8Array): void {
    let message: GroupedMessage;
    try {
      message = decodeGroupedMessage(bytes);
    } catch {
      return;
    }
    to.core?.step(from.replica, message);
    this.drain(to);
  }

  protected sendReady(host: GpbftHost, rd: GroupedReady): void {
    for (const out of rd.messages) {
      if (host.honest) this.onSent(host, out.message);
      for (const target of out.to) this.transmit(host, target, out.message);
    }
  }

  /** Certificates an honest replica hands out must verify (see gpbft-certificates.ts). */
  private onSent(host: GpbftHost, m: GroupedMessage): void {
    if (m.layer === 'certified') {
      for (const cert of m.certificates) this.certificates.check(this.now, host.replica, cert, 'hands out');
      return;
    }
    // Honest replicas never sign two digests for one (layer, kind, view, seq), keyed by real signer.
    if (m.layer !== 'group' && m.layer !== 'top') return;
    const layerId = m.layer === 'group' ? host.replica * 2 : host.replica * 2 + 1;
    this.checker.onSent(this.now, layerId, m.message);
  }

  protected checkCommitted(host: GpbftHost, batch: GroupedCommittedBatch): void {
    this.finalOrder.onCommitted(this.now, host.replica, batch, host.app.lastApplied);
  }

  /** State certificates an honest replica hands to its application must verify too. */
  protected afterExecute(host: GpbftHost, rd: GroupedReady): void {
    if (!host.honest) return;
    for (const cert of rd.certified) this.certificates.check(this.now, host.replica, cert, 'holds');
  }

  protected describeHost(host: GpbftHost): string {
    return describeGpbftHost(host);
  }

  private transmit(host: GpbftHost, target: number, message: GroupedMessage): void {
    if (host.honest || host.behavior === 'twin') {
      this.sendTo(host, target, encodeGroupedMessage(message));
      return;
    }
    for (const out of misbehaveGrouped(host, this.options.layout, target, message))
      this.sendTo(host, out.to, out.bytes);
  }

  /** To every host of replica `target` (both twins). */
  private sendTo(host: GpbftHost, target: number, bytes: Uint8Array): void {
    for (const index of this.hostsOf[target] ?? []) this.network.send(this.now, host.index, index, bytes);
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
