import type { Rng } from '@suyuan/shared';
import { createReplicaCore } from '../consensus/core.ts';
import { decodePersistRecord, encodePersistRecord } from '../consensus/payload.ts';
import type { ConsensusConfig, ConsensusCrypto, ReplicaCore } from '../consensus/types.ts';
import { CounterApp } from './app.ts';
import type { Behavior } from './byzantine.ts';

/**
 * One simulated machine: a consensus core (lost on crash), its durable storage of persist records
 * (encoded, as a real driver would store them) and its durable application state.
 */
export class SimHost {
  readonly index: number;
  readonly replica: number;
  readonly behavior: Behavior;
  readonly crypto: ConsensusCrypto;
  readonly rng: Rng;
  readonly app = new CounterApp();
  readonly storage: Uint8Array[] = [];
  core: ReplicaCore | null;
  private readonly config: ConsensusConfig;
  restarts = 0;

  constructor(options: {
    index: number;
    replica: number;
    behavior: Behavior;
    crypto: ConsensusCrypto;
    config: ConsensusConfig;
    rng: Rng;
  }) {
    this.index = options.index;
    this.replica = options.replica;
    this.behavior = options.behavior;
    this.crypto = options.crypto;
    this.config = options.config;
    this.rng = options.rng;
    this.core = createReplicaCore({ id: this.replica, config: this.config, crypto: this.crypto });
  }

  get honest(): boolean {
    return this.behavior === 'honest';
  }

  get alive(): boolean {
    return this.core !== null;
  }

  crash(): void {
    this.core = null;
  }

  restart(): void {
    const records = this.storage.map((bytes) => decodePersistRecord(bytes));
    this.core = createReplicaCore({
      id: this.replica,
      config: this.config,
      crypto: this.crypto,
      restored: {
        records,
        lastExecuted: this.app.lastApplied,
        stateDigestAt: (seq) => this.app.digests.get(seq),
      },
    });
    this.restarts++;
  }

  persist(records: Parameters<typeof encodePersistRecord>[0][]): void {
    for (const record of records) this.storage.push(encodePersistRecord(record));
  }
}
