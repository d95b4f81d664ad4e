import type { Db } from '../gateway/database.ts';
import type { OutboxState } from './outbox-rows.ts';

/** Read-only views of the outbox's state rows for the status page, metrics and operators. */

export interface DeadLetter {
  seq: number;
  lastError: string | null;
  payloadCount: number;
}

export function deadLetters(db: Db, limit: number): DeadLetter[] {
  const rows = db
    .prepare(
      `SELECT seq, last_error, payload_count FROM outbox_rows WHERE state = 'dead' ORDER BY seq LIMIT ?`,
    )
    .all(limit) as { seq: number; last_error: string | null; payload_count: number }[];
  return rows.map((r) => ({ seq: r.seq, lastError: r.last_error, payloadCount: r.payload_count }));
}

export interface StateCount {
  /** Rows, their body bytes and their payloads. */
  n: number;
  b: number;
  p: number;
  /** The oldest row's creation time. */
  oldest: number | null;
}

export function countsByState(db: Db): Map<OutboxState, StateCount> {
  const rows = db
    .prepare(
      `SELECT state, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b, COALESCE(SUM(payload_count), 0) AS p,
       MIN(created_ms) AS oldest FROM outbox_rows GROUP BY state`,
    )
    .all() as ({ state: OutboxState } & StateCount)[];
  return new Map(rows.map(({ state, ...count }) => [state, count]));
}
