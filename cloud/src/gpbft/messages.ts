import { concatBytes } from '@suyuan/shared';
import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import type { CommittedBatch, ConsensusMessage } from '../consensus/types.ts';
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
 */
export type GroupedMessage =
  | { layer: 'group'; message: ConsensusMessage }
  | { layer: 'top'; message: ConsensusMessage }
  | { layer: 'decisions'; batches: CommittedBatch[] }
  | { layer: 'latest'; seq: number; topView: number; topViewChange: boolean }
  | { layer: 'fetchDecisions'; fromSeq: number; toSeq: number }
  | { layer: 'relay'; origin: number; message: ConsensusMessage };

const TAGS = { group: 1, top: 2, decisions: 3, latest: 4, fetchDecisions: 5, relay: 6 } as const;

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
  return malformed(`unknown grouped message tag ${tag}`);
}
