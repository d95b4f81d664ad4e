import type {
  BlockHeader,
  LedgerTx,
  ParticipantRole,
  PayloadTx,
  Reading,
  RejectionReason,
  SubmitRequest,
  TxLocation,
  TxProof,
} from '@suyuan/shared';

/**
 * What the web pages read from the ledger, and the one thing they write (a signed hold/recall
 * submission). Shaped after what a multi-chain ledger naturally keeps: transactions with their proofs,
 * the per-item hash chain (item key → its events), lot → items and parent ↔ child indexes, reading
 * series per device, block headers per chain, rejections. The pages build against this interface; an
 * in-memory fixture implements it for tests and benchmarks, and an adapter maps it onto the ledger.
 *
 * Identity keys are canonical GS1 Digital Links under the GS1 resolver base (as in the ledger's
 * item links): `https://id.gs1.org/01/<gtin>/21/<serial>`, `…/01/<gtin>/10/<lot>`, `…/00/<sscc>`.
 */

/** A product class (GTIN) with the limits the alerts check against. */
export interface ProductInfo {
  gtin: string;
  name: { zh: string; en: string };
  /** GS1 company prefix length of the GTIN (EPC URIs need it; a Digital Link does not carry it). */
  companyPrefixLength: number;
  /** Cold-chain limits: an excursion is outside [minC, maxC] for longer than excursionMinutesMax. */
  coldChain: { minC: number; maxC: number; excursionMinutesMax: number };
}

/** A field (SGLN) on a farm, with the devices that watch it. */
export interface PlotInfo {
  sgln: string;
  name: { zh: string; en: string };
  /** Coarse region code (ISO 3166-2, e.g. CN-YN): shown to consumers, used by clone heuristics. */
  region: string;
  deviceIds: string[];
}

export type ItemStatus = 'active' | 'held' | 'recalled' | 'sold';

export interface LotInfo {
  key: string;
  gtin: string;
  lot: string;
  farmId: string;
  plot: PlotInfo;
  harvestedAt: number | null;
  itemCount: number;
  status: ItemStatus;
}

export interface ItemInfo {
  key: string;
  gtin: string;
  serial: string;
  lot: string;
  status: ItemStatus;
  /** The participant that holds it now (last receiver), if known. */
  holderId: string | null;
  /** Region of the last shipment's destination: where scans are expected to come from. */
  lastShipmentRegion: string | null;
}

/** One committed event transaction with everything needed to check it offline. */
export interface LedgerEvent {
  tx: PayloadTx;
  proof: TxProof;
}

export interface Participant {
  id: string;
  name: string;
  roles: ParticipantRole[];
  region: string;
  keyIds: string[];
}

export interface DeviceInfo {
  deviceId: string;
  ownerId: string;
  /** Gateway key the device is bound to on the registry chain; null when never registered. */
  gatewayKeyId: string | null;
  kind: 'soil' | 'logger' | 'coldroom';
}

export interface ChainHead {
  chain: string;
  height: number;
  headHash: string;
  lastCommitTime: number;
}

export interface ReplicaStatus {
  replica: number;
  name: string;
  group: number;
  view: number;
  /** Committed height per chain on this replica. */
  heights: Record<string, number>;
  lastCommitTime: number;
}

export interface NetworkStatus {
  replicas: ReplicaStatus[];
  groupCount: number;
  chains: ChainHead[];
}

export interface BlockSummary {
  header: BlockHeader;
  hash: string;
  signerCount: number;
}

export interface LedgerTxView {
  location: TxLocation;
  tx: LedgerTx;
}

export interface Rejection {
  submitter: string;
  seq: number;
  time: number;
  reason: RejectionReason;
}

export interface SequenceGapRecord {
  deviceId: string;
  after: number;
  next: number;
  /** Commit time of the reading batch that showed the gap. */
  time: number;
  location: TxLocation;
}

export type SubmitOutcome =
  | { status: 'pending' }
  | { status: 'committed'; locations: TxLocation[] }
  | { status: 'rejected'; reason: RejectionReason };

export interface ReadModel {
  /** Replica public keys the pages verify certificates against (configuration, not ledger data). */
  replicaPublicKeys(): readonly Uint8Array[];
  /** Grouped PBFT: the replicas' layout (global ids per group); grouped certificates check under it. */
  replicaGroups?(): readonly (readonly number[])[] | undefined;
  /**
   * Changes whenever a block that can change a page commits (heights of every chain except
   * telemetry): cached pages are valid while it stays the same. Cheap: called on every request.
   */
  changeStamp(): string;
  product(gtin: string): Promise<ProductInfo | null>;
  products(): Promise<ProductInfo[]>;
  item(gtin: string, serial: string): Promise<ItemInfo | null>;
  lot(gtin: string, lot: string): Promise<LotInfo | null>;
  lotSerials(gtin: string, lot: string, limit: number): Promise<string[]>;
  /** The events of one identity key, oldest first: its own hash chain (links.prev) with proofs. */
  eventsFor(key: string): Promise<LedgerEvent[]>;
  /** Readings of one device in [fromMs, toMs], time order, at most `limit`. */
  readings(deviceId: string, fromMs: number, toMs: number, limit: number): Promise<Reading[]>;
  /** Keys an identity feeds into (lot → items, input lot → output lot, pallet → items). */
  children(key: string): Promise<string[]>;
  /** Keys an identity came from (item → lot, output lot → input lots, item → pallet). */
  parents(key: string): Promise<string[]>;
  participant(id: string): Promise<Participant | null>;
  participants(): Promise<Participant[]>;
  devices(): Promise<DeviceInfo[]>;
  /** Lots produced by a participant or watched by a device, newest first. */
  lotsOf(participantOrDeviceId: string, limit: number): Promise<LotInfo[]>;
  networkStatus(): Promise<NetworkStatus>;
  /** Newest first, heights ≤ beforeHeight when given. */
  blocks(chain: string, limit: number, beforeHeight?: number): Promise<BlockSummary[]>;
  block(chain: string, height: number): Promise<{ summary: BlockSummary; txs: LedgerTxView[] } | null>;
  rejections(limit: number): Promise<Rejection[]>;
  sequenceGaps(limit: number): Promise<SequenceGapRecord[]>;
  /** Every lot (for alert scans); bounded by `limit`. */
  lots(limit: number): Promise<LotInfo[]>;
  /** Hand a signed submission to the ledger (a replica's POST /v1/submissions). */
  submit(request: SubmitRequest): Promise<SubmitOutcome>;
}
