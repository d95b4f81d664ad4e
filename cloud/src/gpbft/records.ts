import { concatBytes } from '@suyuan/shared';
import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import { decodePersistRecord, encodePersistRecord } from '../consensus/payload.ts';
import type { CommittedBatch, PersistRecord } from '../consensus/types.ts';
import { malformed } from '../consensus/wire.ts';

/**
 * What a grouped replica persists (in order, before sending the messages of the same ready):
 * the group core's and the top core's flat records, every group-committed batch (to serve group
 * state transfer and to re-offer uncovered decisions after a restart) and every verified top
 * decision (to serve members' and representatives' catch-up).
 */
export type GroupedRecord =
  | { layer: 'group'; record: PersistRecord }
  | { layer: 'top'; record: PersistRecord }
  | { layer: 'groupBatch'; batch: CommittedBatch }
  | { layer: 'decision'; batch: CommittedBatch };

const TAGS = { group: 1, top: 2, groupBatch: 3, decision: 4 } as const;

export function encodeGroupedRecord(record: GroupedRecord): Uint8Array {
  const tag = Uint8Array.of(TAGS[record.layer]);
  if (record.layer === 'group' || record.layer === 'top') {
    return concatBytes(tag, encodePersistRecord(record.record));
  }
  return concatBytes(tag, encodeMessage({ type: 'batches', batches: [record.batch], replica: 0 }));
}

export function decodeGroupedRecord(bytes: Uint8Array): GroupedRecord {
  const tag = bytes[0];
  const rest = bytes.subarray(1);
  if (tag === TAGS.group) return { layer: 'group', record: decodePersistRecord(rest) };
  if (tag === TAGS.top) return { layer: 'top', record: decodePersistRecord(rest) };
  if (tag !== TAGS.groupBatch && tag !== TAGS.decision) return malformed(`grouped record tag ${tag}`);
  const inner = decodeMessage(rest);
  const batch = inner.type === 'batches' && inner.batches.length === 1 ? inner.batches[0] : undefined;
  if (batch === undefined) return malformed('grouped record must hold one batch');
  return { layer: tag === TAGS.groupBatch ? 'groupBatch' : 'decision', batch };
}
