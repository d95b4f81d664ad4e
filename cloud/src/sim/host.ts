import { createReplicaCore } from '../consensus/core.ts';
import { decodePersistRecord, encodePersistRecord } from '../consensus/payload.ts';
import type { ConsensusConfig, ConsensusCrypto, PersistRecord, ReplicaCore } from '../consensus/types.ts';
import { type MachineOptions, SimMachine } from './machine.ts';

/** One simulated flat-PBFT machine (machine.ts): a `ReplicaCore` signing with its own key. */
export class SimHost extends SimMachine<ReplicaCore, PersistRecord> {
  readonly crypto: ConsensusCrypto;

  constructor(options: MachineOptions & { crypto: ConsensusCrypto; config: ConsensusConfig }) {
    const { replica, crypto, config } = options;
    super(
      options,
      (restored) =>
        createReplicaCore({ id: replica, config, crypto, ...(restored === undefined ? {} : { restored }) }),
      { encode: encodePersistRecord, decode: decodePersistRecord },
    );
    this.crypto = crypto;
  }
}

/** One line per host for failure reports. */
export function describeFlatHost(h: SimHost): string {
  const st = h.core?.status();
  const state =
    st === undefined
      ? 'down'
      : `view=${st.view}${st.inViewChange ? '(vc)' : ''} exec=${st.lastExecuted} low=${st.lowWatermark} pending=${st.pendingRequests} dropped=${JSON.stringify(st.dropped)}`;
  return `host ${h.index} replica ${h.replica} ${h.behavior} applied=${h.app.lastApplied} ${state}`;
}
