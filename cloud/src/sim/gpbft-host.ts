import type { Rng } from '@suyuan/shared';
import type { ConsensusCrypto } from '../consensus/types.ts';
import {
  createGroupedCore,
  decodeGroupedRecord,
  encodeGroupedRecord,
  type GpbftConfig,
  type GroupedCore,
  type GroupedRecord,
} from '../gpbft/index.ts';
import { CounterApp } from './app.ts';
import type { Behavior } from './byzantine.ts';
import { memoVerify, type SimKeys, simVerifyRequest } from './keys.ts';

/** One simulated grouped-PBFT machine: its node (lost on a crash), durable records and app state. */
export class GpbftHost {
  readonly index: number;
  readonly replica: number;
  readonly behavior: Behavior;
  readonly rng: Rng;
  readonly app = new CounterApp();
  readonly storage: Uint8Array[] = [];
  /** Per-layer crypto for byzantine rewrites (signs with this replica's own key only). */
  readonly groupCrypto: ConsensusCrypto;
  readonly topCrypto: ConsensusCrypto | null;
  core: GroupedCore | null;
  private readonly make: (restored?: { records: GroupedRecord[]; lastExecuted: number }) => GroupedCore;

  constructor(options: {
    index: number;
    replica: number;
    behavior: Behavior;
    keys: SimKeys;
    config: GpbftConfig;
    rng: Rng;
    groupCrypto: ConsensusCrypto;
    topCrypto: ConsensusCrypto | null;
  }) {
    const { keys, config, replica } = options;
    this.index = options.index;
    this.replica = replica;
    this.behavior = options.behavior;
    this.rng = options.rng;
    this.groupCrypto = options.groupCrypto;
    this.topCrypto = options.topCrypto;
    const sign = options.groupCrypto.sign;
    this.make = (restored) =>
      createGroupedCore({
        id: replica,
        config,
        sign,
        verifyGlobal: (signer, message, signature) => {
          const key = keys.publicKeys[signer];
          return key !== undefined && memoVerify(key, signer, message, signature);
        },
        verifyClientRequest: simVerifyRequest,
        ...(restored === undefined
          ? {}
          : { restored: { ...restored, stateDigestAt: (seq: number) => this.app.digests.get(seq) } }),
      });
    this.core = this.make();
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
    const records = this.storage.map((bytes) => decodeGroupedRecord(bytes));
    this.core = this.make({ records, lastExecuted: this.app.lastApplied });
  }

  persist(records: readonly GroupedRecord[]): void {
    for (const record of records) this.storage.push(encodeGroupedRecord(record));
  }
}
