import type { ConsensusCrypto } from '../consensus/types.ts';
import {
  createGroupedCore,
  decodeGroupedRecord,
  encodeGroupedRecord,
  type GpbftConfig,
  type GroupedCore,
  type GroupedRecord,
} from '../gpbft/index.ts';
import { memoVerify, type SimKeys, simVerifyRequest } from './keys.ts';
import { type MachineOptions, SimMachine } from './machine.ts';

/** One simulated grouped-PBFT machine (machine.ts): a `GroupedCore` node. */
export class GpbftHost extends SimMachine<GroupedCore, GroupedRecord> {
  /** Per-layer crypto for byzantine rewrites (signs with this replica's own key only). */
  readonly groupCrypto: ConsensusCrypto;
  readonly topCrypto: ConsensusCrypto | null;

  constructor(
    options: MachineOptions & {
      keys: SimKeys;
      config: GpbftConfig;
      groupCrypto: ConsensusCrypto;
      topCrypto: ConsensusCrypto | null;
    },
  ) {
    const { keys, config, replica } = options;
    const sign = options.groupCrypto.sign;
    super(
      options,
      (restored) =>
        createGroupedCore({
          id: replica,
          config,
          sign,
          verifyGlobal: (signer, message, signature) => {
            const key = keys.publicKeys[signer];
            return key !== undefined && memoVerify(key, signer, message, signature);
          },
          verifyClientRequest: simVerifyRequest,
          ...(restored === undefined ? {} : { restored }),
        }),
      { encode: encodeGroupedRecord, decode: decodeGroupedRecord },
    );
    this.groupCrypto = options.groupCrypto;
    this.topCrypto = options.topCrypto;
  }
}

/** One line per host for failure reports. */
export function describeGpbftHost(h: GpbftHost): string {
  const st = h.core?.status();
  const state =
    st === undefined
      ? 'down'
      : `g${st.group}/m${st.member} view=${st.view}${st.inViewChange ? '(vc)' : ''} rep=${st.representative}${st.isRepresentative ? '*' : ''} topView=${st.topView} groupExec=${st.groupLastExecuted} top=${st.topLastDelivered} pendingDec=${st.pendingDecisions} pendingReq=${st.pendingRequests} dropped=${JSON.stringify(st.dropped)}`;
  return `host ${h.index} ${h.behavior} applied=${h.app.lastApplied} ${state}`;
}
