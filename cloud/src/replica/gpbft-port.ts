import type { KeyObject } from 'node:crypto';
import { sign, verify } from '@suyuan/shared';
import type {
  ClientRequest,
  ConsensusConfig,
  ConsensusMessage,
  ConsensusStatus,
  Outbound,
  Ready,
} from '../consensus/types.ts';
import {
  createGroupedCore,
  decodeGroupedMessage,
  encodeGroupedMessage,
  type GroupedCore,
  type GroupedMessage,
  type GroupedStatus,
  type GroupLayout,
} from '../gpbft/index.ts';
import type { ReplicaCorePort } from './core-port.ts';
import type { GroupedRecordStore } from './gpbft-records.ts';
import type { MessageCodec } from './transport.ts';

/**
 * Grouped PBFT (cloud/src/gpbft) behind the flat core's port, so the replica driver, transport and
 * HTTP layer run it unchanged:
 * - messages: a GroupedMessage travels in the flat message slot. The driver and transport only ever
 *   look at `type === 'fetchBatches'` and `'replica' in message`, which a GroupedMessage (tagged by
 *   `layer`) never has, so both pass it through untouched; the codec below is the grouped wire codec.
 *   A grouped send to several members becomes one Outbound per member (one encode, cached).
 * - persistence: the grouped node's records go to their own table (gpbft-records.ts) from ready(),
 *   which the driver calls inside its group-commit transaction (driver.ts drain): they are durable
 *   with the round's batches, before any of its messages leave.
 * - state transfer: the grouped node serves and asks for decisions itself (no flat `fetches`).
 */
const asWire = (message: GroupedMessage): ConsensusMessage => message as unknown as ConsensusMessage;
const fromWire = (message: ConsensusMessage): GroupedMessage => message as unknown as GroupedMessage;

/** The grouped wire codec in the transport's flat slot; a message sent to k members is encoded once. */
export function groupedCodec(): MessageCodec {
  const encoded = new WeakMap<object, Uint8Array>();
  return {
    encode: (message) => {
      const cached = encoded.get(message);
      if (cached !== undefined) return cached;
      const bytes = encodeGroupedMessage(fromWire(message));
      encoded.set(message, bytes);
      return bytes;
    },
    decode: (bytes) => asWire(decodeGroupedMessage(bytes)),
  };
}

export interface GroupedPortOptions {
  id: number;
  layout: GroupLayout;
  publicKeys: readonly Uint8Array[];
  consensus: Partial<ConsensusConfig>;
  gpbft: { representativeTimeoutTicks?: number; decisionsPerMessageMax?: number };
  privateKey: KeyObject;
  verifyRequest: (request: ClientRequest) => boolean;
  records: GroupedRecordStore;
  lastExecuted: number;
  stateDigestAt: (seq: number) => Uint8Array | undefined;
}

/** Status of a gpbft replica: the flat fields (primary = representative) plus the grouped ones. */
export type GroupedPortStatus = ConsensusStatus &
  GroupedStatus & { mode: 'gpbft' | 'pbft'; topLastExecuted: number; groups: number };

export function createGroupedPort(options: GroupedPortOptions): ReplicaCorePort & {
  status(): GroupedPortStatus;
} {
  const { publicKeys } = options;
  const core: GroupedCore = createGroupedCore({
    id: options.id,
    config: {
      layout: options.layout,
      publicKeys,
      consensus: options.consensus,
      ...options.gpbft,
    },
    sign: (message) => sign(options.privateKey, message),
    verifyGlobal: (replica, message, signature) => {
      const key = Number.isInteger(replica) ? publicKeys[replica] : undefined;
      return key !== undefined && verify(key, message, signature);
    },
    verifyClientRequest: (request) => {
      try {
        return options.verifyRequest(request);
      } catch {
        return false;
      }
    },
    restored: {
      records: options.records.load(),
      lastExecuted: options.lastExecuted,
      stateDigestAt: options.stateDigestAt,
    },
  });
  return {
    tick: () => core.tick(),
    step: (from, message) => core.step(from, fromWire(message)),
    propose: (request) => core.propose(request),
    executed: (seq, digest) => core.executed(seq, digest),
    ready(): Ready | null {
      const rd = core.ready();
      if (rd === null) return null;
      options.records.save(rd.persist);
      const messages: Outbound[] = [];
      for (const out of rd.messages) {
        const message = asWire(out.message);
        for (const to of out.to) messages.push({ to, message });
      }
      core.advance(rd);
      return { persist: [], messages, committed: rd.committed, certified: rd.certified, fetches: [] };
    },
    advance: () => {},
    status(): GroupedPortStatus {
      const st = core.status();
      return {
        ...st,
        primary: st.representative,
        lastStableCheckpoint: 0,
        lowWatermark: 0,
        highWatermark: 0,
        topLastExecuted: st.topLastDelivered,
        groups: options.layout.groups.length,
      };
    },
  };
}
