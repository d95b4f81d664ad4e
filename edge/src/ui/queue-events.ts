import type { EpcisEventInput } from '@suyuan/shared';
import { queueSignedPayloads } from '../gateway/signed-payloads.ts';
import { eventPayloads } from './farm-events.ts';
import type { FarmUiDeps } from './ui-env.ts';

/**
 * Signs `events` as one submission, queues it as a critical outbox entry and records the farm-side
 * rows (`record`, given the outbox seq) in the same SQLite transaction: both or neither. A full outbox
 * throws LimitError (the UI says so); the outbox's in-memory byte count is recomputed after any failure.
 */
export function queueEvents<T>(
  deps: Pick<FarmUiDeps, 'db' | 'outbox' | 'key' | 'clock'>,
  events: readonly EpcisEventInput[],
  record: (seq: number) => T,
): T {
  const { db, outbox, key, clock } = deps;
  try {
    return db.transaction(() =>
      record(queueSignedPayloads(db, outbox, key, clock, 'event', eventPayloads(events))),
    )();
  } catch (error) {
    outbox.recount();
    throw error;
  }
}
