import { HASH_BYTES, SIGNATURE_BYTES } from '@suyuan/shared';
import {
  readPreparedCertificate,
  readPreparedProof,
  readRequests,
  readStateCertificate,
  wireLimits,
  writePreparedCertificate,
  writePreparedProof,
  writeRequests,
  writeStateCertificate,
} from './codec.ts';
import type { PersistRecord, PreparedProof, StateCertificate } from './types.ts';
import { ByteReader, ByteWriter, malformed } from './wire.ts';

/**
 * VIEW-CHANGE body: the sender's stable checkpoint (null at genesis) and its prepared set P, as
 * proofs over batch digests (no bodies; a replica that lacks a body fetches it, see core-bodies.ts).
 */
export interface ViewChangePayload {
  checkpoint: StateCertificate | null;
  prepared: PreparedProof[];
}

/** A VIEW-CHANGE as carried inside a NEW-VIEW: enough to re-check its signature. */
export interface SignedViewChange {
  replica: number;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** One entry of the new primary's O set: its signed pre-prepare for (newView, seq, digest). */
export interface NewViewOrder {
  seq: number;
  batchDigest: Uint8Array;
  signature: Uint8Array;
}

/** NEW-VIEW body: the quorum of view changes V and the pre-prepares O computed from them. */
export interface NewViewPayload {
  viewChanges: SignedViewChange[];
  orders: NewViewOrder[];
}

export function encodeViewChangePayload(payload: ViewChangePayload): Uint8Array {
  const w = new ByteWriter();
  if (payload.checkpoint === null) w.u8(0);
  else writeStateCertificate(w.u8(1), payload.checkpoint);
  w.u32(payload.prepared.length);
  for (const cert of payload.prepared) writePreparedProof(w, cert);
  return w.finish();
}

export function decodeViewChangePayload(bytes: Uint8Array): ViewChangePayload {
  const r = new ByteReader(bytes);
  const flag = r.u8('checkpoint flag');
  if (flag > 1) malformed('checkpoint flag');
  const checkpoint = flag === 1 ? readStateCertificate(r) : null;
  const count = r.count('prepared count', wireLimits.preparedPerViewChangeMax, 16);
  const prepared: PreparedProof[] = [];
  for (let i = 0; i < count; i++) prepared.push(readPreparedProof(r));
  r.end();
  return { checkpoint, prepared };
}

export function encodeNewViewPayload(payload: NewViewPayload): Uint8Array {
  const w = new ByteWriter().u32(payload.viewChanges.length);
  for (const vc of payload.viewChanges) w.u32(vc.replica).bytes(vc.payload).fixed(vc.signature);
  w.u32(payload.orders.length);
  for (const order of payload.orders) w.u64(order.seq).fixed(order.batchDigest).fixed(order.signature);
  return w.finish();
}

export function decodeNewViewPayload(bytes: Uint8Array): NewViewPayload {
  const r = new ByteReader(bytes);
  const vcCount = r.count('view-change count', wireLimits.viewChangesPerNewViewMax, 8 + SIGNATURE_BYTES);
  const viewChanges: SignedViewChange[] = [];
  for (let i = 0; i < vcCount; i++) {
    const replica = r.u32('replica', wireLimits.replicasMax - 1);
    const payload = r.bytes('view-change payload', wireLimits.messageBytesMax);
    viewChanges.push({ replica, payload, signature: r.fixed(SIGNATURE_BYTES, 'signature') });
  }
  const orderBytes = 8 + HASH_BYTES + SIGNATURE_BYTES;
  const orderCount = r.count('order count', wireLimits.preparedPerViewChangeMax, orderBytes);
  const orders: NewViewOrder[] = [];
  for (let i = 0; i < orderCount; i++) {
    const seq = r.u64('seq');
    const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
    orders.push({ seq, batchDigest, signature: r.fixed(SIGNATURE_BYTES, 'signature') });
  }
  r.end();
  return { viewChanges, orders };
}

/** Binary form of a PersistRecord, for drivers that store records as bytes (round-trips exactly). */
export function encodePersistRecord(record: PersistRecord): Uint8Array {
  const w = new ByteWriter();
  switch (record.kind) {
    case 'view':
      w.u8(1).u64(record.view);
      break;
    case 'prepared':
      writePreparedCertificate(w.u8(2), record.certificate);
      break;
    case 'log':
      w.u8(3).u64(record.seq).u64(record.view).fixed(record.batchDigest);
      writeRequests(w, record.requests);
      break;
    case 'stableCheckpoint':
      writeStateCertificate(w.u8(4), record.certificate);
      break;
    case 'truncateBelow':
      w.u8(5).u64(record.seq);
      break;
  }
  return w.finish();
}

export function decodePersistRecord(bytes: Uint8Array): PersistRecord {
  const r = new ByteReader(bytes);
  const tag = r.u8('record kind');
  let record: PersistRecord;
  if (tag === 1) record = { kind: 'view', view: r.u64('view') };
  else if (tag === 2) record = { kind: 'prepared', certificate: readPreparedCertificate(r) };
  else if (tag === 3) {
    const seq = r.u64('seq');
    const view = r.u64('view');
    const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
    record = { kind: 'log', seq, view, batchDigest, requests: readRequests(r) };
  } else if (tag === 4) record = { kind: 'stableCheckpoint', certificate: readStateCertificate(r) };
  else if (tag === 5) record = { kind: 'truncateBelow', seq: r.u64('seq') };
  else return malformed(`unknown persist record kind ${tag}`);
  r.end();
  return record;
}
