/**
 * The outbox's rows: the entry types the gateway works with and the mapping from the SQLite rows
 * they live in (outbox-schema.ts: the tables; outbox-store.ts: the operations on them).
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
  /** The exact request body: text, or its UTF-8 bytes (stored as the same TEXT value). */
  body: string | Uint8Array;
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
