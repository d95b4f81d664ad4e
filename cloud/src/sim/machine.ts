import type { Rng } from '@suyuan/shared';
import { CounterApp } from './app.ts';
import type { Behavior } from './byzantine.ts';

/** What a restarted core is built from: its persisted records and the durable application state. */
export interface MachineRestore<Rec> {
  records: Rec[];
  lastExecuted: number;
  stateDigestAt: (seq: number) => Uint8Array | undefined;
}

/** How a machine stores its persist records: encoded, as a real driver would write them. */
export interface RecordCodec<Rec> {
  encode(record: Rec): Uint8Array;
  decode(bytes: Uint8Array): Rec;
}

export interface MachineOptions {
  index: number;
  replica: number;
  behavior: Behavior;
  rng: Rng;
}

/**
 * One simulated machine, for either core (flat `ReplicaCore` or `GroupedCore`): the core (lost on a
 * crash), its durable storage of encoded persist records and its durable application state. `boot`
 * builds the core, fresh or from what survived a crash.
 */
export class SimMachine<Core, Rec> {
  readonly index: number;
  readonly replica: number;
  readonly behavior: Behavior;
  readonly rng: Rng;
  readonly app = new CounterApp();
  readonly storage: Uint8Array[] = [];
  core: Core | null;
  restarts = 0;
  private readonly boot: (restored?: MachineRestore<Rec>) => Core;
  private readonly codec: RecordCodec<Rec>;

  constructor(
    options: MachineOptions,
    boot: (restored?: MachineRestore<Rec>) => Core,
    codec: RecordCodec<Rec>,
  ) {
    this.index = options.index;
    this.replica = options.replica;
    this.behavior = options.behavior;
    this.rng = options.rng;
    this.boot = boot;
    this.codec = codec;
    this.core = boot();
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
    const records = this.storage.map((bytes) => this.codec.decode(bytes));
    this.core = this.boot({
      records,
      lastExecuted: this.app.lastApplied,
      stateDigestAt: (seq) => this.app.digests.get(seq),
    });
    this.restarts++;
  }

  persist(records: readonly Rec[]): void {
    for (const record of records) this.storage.push(this.codec.encode(record));
  }
}
