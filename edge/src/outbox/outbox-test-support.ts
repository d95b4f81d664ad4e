import type { Ed25519KeyPair, Reading } from '@suyuan/shared';
import type { OutboxStore } from './outbox-store.ts';
import { readingBatches, sealSubmission } from './seal.ts';

/**
 * Tests only: seals `readings` as one reading submission under the outbox's next seq, signed with
 * `key` at `nowMs`, appends it as the gateway does, and returns its seq.
 */
export function enqueueReadings(
  outbox: OutboxStore,
  key: Ed25519KeyPair,
  nowMs: number,
  readings: Reading[],
): number {
  const seq = outbox.allocateSeq();
  const [payloads] = readingBatches(readings);
  const { body, header } = sealSubmission(key, seq, nowMs, payloads!);
  outbox.append([
    { seq, kind: 'readings', body, header: JSON.stringify(header), payloadCount: 1, critical: false },
  ]);
  return seq;
}
