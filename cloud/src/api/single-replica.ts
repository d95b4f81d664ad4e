import type { Ed25519KeyPair } from '@suyuan/shared';
import type { Hono } from 'hono';
import type { LedgerConfig } from '../ledger/config.ts';
import { LedgerMachine } from '../ledger/ledger-machine.ts';
import { LocalOrderer } from '../ledger/local-orderer.ts';
import { createLedgerApi } from './ledger-api.ts';
import { defaultLedgerApiLimits, type LedgerApiLimits } from './ledger-node.ts';

/**
 * Single-replica mode: one process, one SQLite ledger, one key certifying every batch (n = 1,
 * quorum 1), behind the same ReplicatedStateMachine and the same /v1 API as a PBFT cluster.
 */
export interface SingleReplica {
  app: Hono;
  machine: LedgerMachine;
  orderer: LocalOrderer;
  close(): void;
}

export function createSingleReplica(options: {
  path: string;
  config: LedgerConfig;
  key: Ed25519KeyPair;
  /** Flush scheduling; default: order right after each request's turn of the event loop; null: by hand. */
  schedule?: ((run: () => void) => void) | null;
  limits?: LedgerApiLimits;
}): SingleReplica {
  const machine = new LedgerMachine(options.path, options.config);
  const orderer = new LocalOrderer(machine, options.key, {
    batchRequestsMax: 256,
    pendingRequestsMax: 10_000,
    ...(options.schedule === null ? {} : { schedule: options.schedule ?? ((run) => setImmediate(run)) }),
  });
  const app = createLedgerApi(
    { machine, propose: (r) => orderer.propose(r), replicaPublicKeys: orderer.replicaPublicKeys },
    options.limits ?? defaultLedgerApiLimits,
  );
  return { app, machine, orderer, close: () => machine.close() };
}
