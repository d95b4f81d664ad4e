/**
 * The outbox's rows: the entry types the gateway works with, the SQLite table they live in, and
 * the mapping between the two (outbox-store.ts holds the operations on them).
 */

export type OutboxState = 'pending' | 'accepted' | 'committed' | 'dead';

export interface OutboxEntry {
  seq: number;
  kind: string;
  body: string;
  /** The signed SubmissionHeader as JSON (kept so receipts are checked without re-hashing payloads). */
  header: string;
  bytes: number;
  payloadCount: number;
  critical: boolean;
  createdMs: number;
  expiresMs: number;
  state: OutboxState;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
}

export interface NewOutboxEntry {
  seq: number;
  kind: string;
  body: string;
  header: string;
  payloadCount: number;
  critical: boolean;
}

export interface OutboxStats {
  pending: number;
  accepted: number;
  committed: number;
  dead: number;
  pendingBytes: number;
  pendingPayloads: number;
  refused: number;
  expired: number;
  oldestPendingMs: number | null;
}

export const outboxSchema = `
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  header TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  payload_count INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT,
  receipt TEXT,
  done_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_ms) WHERE state IN ('pending', 'accepted');
CREATE INDEX IF NOT EXISTS outbox_done ON outbox(done_ms) WHERE state = 'committed';
`;

export interface OutboxRow {
  seq: number;
  kind: string;
  body: string;
  header: string;
  bytes: number;
  payload_count: number;
  critical: number;
  created_ms: number;
  expires_ms: number;
  state: OutboxState;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
}

export const rowColumnsWithoutBody =
  'seq, kind, header, bytes, payload_count, critical, created_ms, expires_ms, state, attempts, next_attempt_ms, last_error';

export function toEntry(row: OutboxRow): OutboxEntry {
  return {
    seq: row.seq,
    kind: row.kind,
    body: row.body,
    header: row.header,
    bytes: row.bytes,
    payloadCount: row.payload_count,
    critical: row.critical === 1,
    createdMs: row.created_ms,
    expiresMs: row.expires_ms,
    state: row.state,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    lastError: row.last_error,
  };
}
