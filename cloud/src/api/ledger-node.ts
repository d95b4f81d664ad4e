import type { ClientRequest } from '../consensus/types.ts';
import { DeviceReadings } from '../ledger/device-readings.ts';
import type { LedgerMachine } from '../ledger/ledger-machine.ts';
import { ProofBuilder } from '../ledger/proofs.ts';
import { TraceQuery } from '../ledger/trace-query.ts';
import { LedgerViews } from '../ledger/views.ts';
import { PendingSubmissions } from './pending.ts';
import type { StatusWaits } from './status-waits.ts';

/**
 * What the /v1 API needs from a replica: its ledger (read side), a way to hand a request to
 * ordering (PBFT's propose, or the single-replica orderer) and the replica keys clients verify with.
 */
export interface LedgerNode {
  machine: LedgerMachine;
  /** 'accepted' | 'duplicate' | 'forwarded' are fine; 'full' means overloaded; 'rejected' means refused. */
  propose(request: ClientRequest): string | Promise<string>;
  replicaPublicKeys: readonly Uint8Array[];
  /** Grouped PBFT: the layout (global ids per group) its grouped state certificates check under. */
  replicaGroups?: readonly (readonly number[])[];
  /**
   * Held status GETs (`?waitMs=`), fed by whoever executes batches (the replica app). Without it a
   * status GET is answered at once, whatever it asks.
   */
  statusWaits?: StatusWaits;
}

export interface LedgerApiLimits {
  /** Most nodes one trace returns (then `truncated: true`). */
  traceNodesMax: number;
  /** Largest page of a list view. */
  pageItemsMax: number;
  /** Submissions tracked as pending before the oldest is forgotten. */
  pendingTrackedMax: number;
}

export const defaultLedgerApiLimits: LedgerApiLimits = {
  traceNodesMax: 2000,
  pageItemsMax: 100,
  pendingTrackedMax: 100_000,
};

/** The read-side objects the routes share, built once per node. */
export class LedgerReader {
  readonly node: LedgerNode;
  readonly proofs: ProofBuilder;
  readonly traces: TraceQuery;
  readonly views: LedgerViews;
  readonly deviceReadings: DeviceReadings;
  readonly pending: PendingSubmissions;
  readonly limits: LedgerApiLimits;

  constructor(node: LedgerNode, limits: LedgerApiLimits) {
    const m = node.machine;
    this.node = node;
    this.limits = limits;
    this.proofs = new ProofBuilder(m.chains);
    this.traces = new TraceQuery(m.db, m.state, this.proofs);
    this.views = new LedgerViews(m.db, m.state);
    this.deviceReadings = new DeviceReadings(m.db, m.chains);
    this.pending = new PendingSubmissions(limits.pendingTrackedMax);
  }
}
