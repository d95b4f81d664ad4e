import { concatBytes } from '@suyuan/shared';
import {
  decodeMessage,
  encodeMessage,
  readStateCertificate,
  writeStateCertificate,
} from '../consensus/codec.ts';
import { decodePersistRecord, encodePersistRecord } from '../consensus/payload.ts';
import type {
  CommittedBatch,
  ConsensusMessage,
  PersistRecord,
  StateCertificate,
} from '../consensus/types.ts';
import { ByteReader, ByteWriter, malformed } from '../consensus/wire.ts';

/**
 * What grouped-PBFT replicas send each other. Flat messages travel wrapped with their layer:
 * - `group`: group j's own PBFT (replica ids inside are group-local member ids);
 * - `top`: the representatives' PBFT (replica ids inside are group indexes = virtual replicas);
 * - `decisions`: committed top batches with their top certificates, representative → members
 *   (and any member → a lagging member); each verifies from public keys alone;
 * - `latest`: the representative's heartbeat: its highest decision seq, its top view and whether the
 *   top is in a view change (lets members see a gap, start a new top core in the right view, and
 *   not blame their representative for a top-level view change); unauthenticated hints only
 *   and notice a silent representative);
 * - `fetchDecisions`: a lagging member asks a peer for decisions [fromSeq, toSeq];
 * - `relay` (additive): a top message that reached a member who no longer (or not yet) represents
 *   its group, passed on to the member's current representative with the original sender's id.
 *   Other groups address a group's last known signer, so without it a representative change
 *   loses top messages until the new representative speaks. Signatures are checked as usual.
 * - `topHold` (additive): the representative's top-level prepared certificates and stable checkpoints,
 *   sent to its members, who check and keep them (`topHoldAck` per prepared certificate). The
 *   representative sends its top COMMIT only once 2f_g+1 members hold the certificate, so a successor
 *   can report it in a top view change (docs/consensus.md "Representative changes keep the top state");
 * - `topHoldQuery` / `topHeld` (additive): a new representative collects what 2f_g+1 members hold
 *   (and the highest top view they know) before it starts its top core.
 * - `certified` (additive, session 5): top-level state certificates, representative → members, with
 *   each signature's replica field the signer's GLOBAL id (state-certified.ts); the ledger's proofs.
 */
export type GroupedMessage =
  | { layer: 'group'; message: ConsensusMessage }
  | { layer: 'top'; message: ConsensusMessage }
  | { layer: 'decisions'; batches: CommittedBatch[] }
  | { layer: 'latest'; seq: number; topView: number; topViewChange: boolean }
  | { layer: 'fetchDecisions'; fromSeq: number; toSeq: number }
  | { layer: 'relay'; origin: number; message: ConsensusMessage }
  | { layer: 'topHold'; records: PersistRecord[] }
  | { layer: 'topHoldAck'; view: number; seq: number }
  | { layer: 'topHoldQuery' }
  | { layer: 'topHeld'; view: number; records: PersistRecord[] }
  | { layer: 'certified'; certificates: StateCertificate[] };

const TAGS = {
  group: 1,
  top: 2,
  decisions: 3,
  latest: 4,
  fetchDecisions: 5,
  relay: 6,
  topHold: 7,
  topHoldAck: 8,
  topHoldQuery: 9,
  topHeld: 10,
  certified: 11,
} as const;
/** Most state certificates in one `certified` message. */
export const certifiedPerMessageMax = 256;
/** Smallest encoded state certificate: seq, digest, signature count. */
const stateCertificateBytesMin = 8 + 32 + 4;
/** Most records in one topHold / topHeld message (a top log window is far smaller). */
export const heldRecordsMax = 4096;
/** Largest single held record accepted on the wire (a prepared certificate with its body). */
const heldRecordBytesMax = 64 * 1024 * 1024;

function writeHeld(writer: ByteWriter, records: readonly PersistRecord[]): Uint8Array {
  writer.u32(records.length);
  for (const record of records) writer.bytes(encodePersistRecord(record));
  return writer.finish();
}

function readHeld(reader: ByteReader): PersistRecord[] {
  const count = reader.count('held records', heldRecordsMax, 4);
  const records: PersistRecord[] = [];
  for (let i = 0; i < count; i++) {
    const record = decodePersistRecord(reader.bytes('held record', heldRecordBytesMax));
    if (record.kind !== 'prepared' && record.kind !== 'stableCheckpoint') malformed('held record kind');
    records.push(record);
  }
  reader.end();
  return records;
}

/** Wire format: one tag byte, then the flat codec's bytes (group/top/decisions) or u64 fields. */
export function encodeGroupedMessage(m: GroupedMessage): Uint8Array {
  switch (m.layer) {
    case 'group':
    case 'top':
      return concatBytes(Uint8Array.of(TAGS[m.layer]), encodeMessage(m.message));
    case 'decisions':
      return concatBytes(
        Uint8Array.of(TAGS.decisions),
        encodeMessage({ type: 'batches', batches: m.batches, replica: 0 }),
      );
    case 'latest':
      return new ByteWriter()
        .u8(TAGS.latest)
        .u64(m.seq)
        .u64(m.topView)
        .u8(m.topViewChange ? 1 : 0)
        .finish();
    case 'fetchDecisions':
      return new ByteWriter().u8(TAGS.fetchDecisions).u64(m.fromSeq).u64(m.toSeq).finish();
    case 'relay':
      return concatBytes(new ByteWriter().u8(TAGS.relay).u32(m.origin).finish(), encodeMessage(m.message));
    case 'topHold':
      return writeHeld(new ByteWriter().u8(TAGS.topHold), m.records);
    case 'topHoldAck':
      return new ByteWriter().u8(TAGS.topHoldAck).u64(m.view).u64(m.seq).finish();
    case 'topHoldQuery':
      return Uint8Array.of(TAGS.topHoldQuery);
    case 'topHeld':
      return writeHeld(new ByteWriter().u8(TAGS.topHeld).u64(m.view), m.records);
    case 'certified': {
      const writer = new ByteWriter().u8(TAGS.certified).u32(m.certificates.length);
      for (const certificate of m.certificates) writeStateCertificate(writer, certificate);
      return writer.finish();
    }
  }
}

/** Strict decoder; throws InputError('consensus.malformed') on anything off. */
export function decodeGroupedMessage(bytes: Uint8Array): GroupedMessage {
  if (bytes.length < 1) return malformed('empty grouped message');
  const tag = bytes[0];
  const rest = bytes.subarray(1);
  if (tag === TAGS.group) return { layer: 'group', message: decodeMessage(rest) };
  if (tag === TAGS.top) return { layer: 'top', message: decodeMessage(rest) };
  if (tag === TAGS.relay) {
    if (rest.length < 4) return malformed('relay origin');
    const origin = new ByteReader(rest.subarray(0, 4)).u32('relay origin', 0xffff);
    return { layer: 'relay', origin, message: decodeMessage(rest.subarray(4)) };
  }
  if (tag === TAGS.decisions) {
    const inner = decodeMessage(rest);
    if (inner.type !== 'batches') return malformed('decisions must carry batches');
    return { layer: 'decisions', batches: inner.batches };
  }
  const reader = new ByteReader(rest);
  if (tag === TAGS.latest) {
    const seq = reader.u64('latest seq');
    const topView = reader.u64('latest top view');
    const flag = reader.u8('latest view-change flag');
    reader.end();
    if (flag > 1) return malformed('latest view-change flag');
    return { layer: 'latest', seq, topView, topViewChange: flag === 1 };
  }
  if (tag === TAGS.fetchDecisions) {
    const fromSeq = reader.u64('fromSeq');
    const toSeq = reader.u64('toSeq');
    reader.end();
    return { layer: 'fetchDecisions', fromSeq, toSeq };
  }
  if (tag === TAGS.topHold) return { layer: 'topHold', records: readHeld(reader) };
  if (tag === TAGS.topHoldAck) {
    const view = reader.u64('held view');
    const seq = reader.u64('held seq');
    reader.end();
    return { layer: 'topHoldAck', view, seq };
  }
  if (tag === TAGS.topHoldQuery) {
    reader.end();
    return { layer: 'topHoldQuery' };
  }
  if (tag === TAGS.certified) {
    const count = reader.count('certificates', certifiedPerMessageMax, stateCertificateBytesMin);
    const certificates: StateCertificate[] = [];
    for (let i = 0; i < count; i++) certificates.push(readStateCertificate(reader));
    reader.end();
    return { layer: 'certified', certificates };
  }
  if (tag === TAGS.topHeld) {
    const view = reader.u64('held view');
    return { layer: 'topHeld', view, records: readHeld(reader) };
  }
  return malformed(`unknown grouped message tag ${tag}`);
}
