import { assert, type Clock, LimitError } from '@suyuan/shared';
import type { Db } from '../gateway/database.ts';
import type { OutboxLimits } from './outbox-limits.ts';
import { countsByState, type DeadLetter, deadLetters } from './outbox-queries.ts';
import {
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxRow,
  type OutboxState,
  type OutboxStats,
  toEntry,
} from './outbox-rows.ts';
import { openOutboxTables, stateRowColumns } from './outbox-schema.ts';
import { StateCommits } from './state-commit.ts';

/**
 * The durable outbox: one row per signed submission, keyed by the gateway's own submission seq,
 * which is also the idempotency key at the cloud ((gateway key, seq)). A row is written once with
 * its exact request body and re-sent byte for byte on every retry, so a retry after a crash can
 * never become a second, different submission.
 *
 * States: pending → (accepted) → committed, or → dead. `accepted` means the cloud answered 202 and
 * the next step is asking for the receipt. Dead letters keep their reason and body for an operator.
 * State changes touch only the small state row; the body has a table of its own (outbox-schema.ts).
 */

export type { NewOutboxEntry, OutboxEntry, OutboxState, OutboxStats } from './outbox-rows.ts';

export class OutboxStore {
  private readonly db: Db;
  private readonly clock: Clock;
  readonly limits: OutboxLimits;
  /** Kept in memory so the full check on the hot path costs no query; recomputed at open. */
  private pendingBytes = 0;
  private readonly maxSeqAtOpen: number;
  private readonly stmt;
  /** State changes commit without their own fsync (state-commit.ts). */
  private readonly stateCommits: StateCommits;

  constructor(db: Db, clock: Clock, limits: OutboxLimits) {
    this.db = db;
    this.clock = clock;
    this.limits = limits;
    openOutboxTables(db);
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO outbox_rows (seq, kind, header, bytes, payload_count, critical, created_ms, expires_ms, state,
         next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      ),
      insertBody: db.prepare('INSERT INTO outbox_bodies (seq, body) VALUES (?, ?)'),
      // A body handed over as its UTF-8 bytes is bound as a blob (SQLite's one copy, not V8's UTF-8
      // copy of a ~1 MB string and then SQLite's) and stored as the same TEXT value a string gives.
      insertBodyBytes: db.prepare('INSERT INTO outbox_bodies (seq, body) VALUES (?, CAST(? AS TEXT))'),
      // Everything but the body: a reading batch's body is up to 1 MiB, and due rows are listed on
      // every uploader turn (most of them to poll a status, which needs only the header).
      due: db.prepare(
        `SELECT ${stateRowColumns} FROM outbox_rows WHERE state IN ('pending', 'accepted') AND next_attempt_ms <= ?
         ORDER BY next_attempt_ms, seq LIMIT ?`,
      ),
      // One list per state, for the uploader's two lanes (POSTs, status GETs). The repeated IN term
      // lets SQLite use the partial index outbox_due.
      // The due seqs of one state, from its own partial index alone (outbox-schema.ts): the uploader
      // lists them on every turn and after every exchange, and most are in flight (held status
      // GETs), so only the rows it starts are read whole (`stateRow`).
      duePending: db
        .prepare(
          `SELECT seq FROM outbox_rows WHERE state = 'pending'
           AND next_attempt_ms <= ? ORDER BY next_attempt_ms, seq LIMIT ?`,
        )
        .pluck(),
      dueAccepted: db
        .prepare(
          `SELECT seq FROM outbox_rows WHERE state = 'accepted'
           AND next_attempt_ms <= ? ORDER BY next_attempt_ms, seq LIMIT ?`,
        )
        .pluck(),
      stateRow: db.prepare(`SELECT ${stateRowColumns} FROM outbox_rows WHERE seq = ?`),
      body: db.prepare('SELECT body FROM outbox_bodies WHERE seq = ?').pluck(),
      bodyBytes: db.prepare('SELECT CAST(body AS BLOB) FROM outbox_bodies WHERE seq = ?').pluck(),
      finishing: db.prepare('SELECT state, bytes, next_attempt_ms FROM outbox_rows WHERE seq = ?'),
      get: db.prepare('SELECT * FROM outbox WHERE seq = ?'),
      setState: db.prepare(
        `UPDATE outbox_rows SET state = ?, attempts = attempts + ?, next_attempt_ms = ?, last_error = ?,
         receipt = COALESCE(?, receipt), done_ms = ? WHERE seq = ? AND state IN ('pending', 'accepted')`,
      ),
      metaGet: db.prepare('SELECT value FROM outbox_meta WHERE key = ?'),
      metaSet: db.prepare(
        'INSERT INTO outbox_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      bump: db.prepare(
        `INSERT INTO outbox_meta (key, value) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET value = value + excluded.value`,
      ),
      expired: db.prepare(
        `SELECT seq FROM outbox_rows WHERE state IN ('pending', 'accepted') AND expires_ms <= ? LIMIT 1000`,
      ),
      pruneBodies: db.prepare(
        `DELETE FROM outbox_bodies WHERE seq IN
         (SELECT seq FROM outbox_rows WHERE state = 'committed' AND done_ms < ?)`,
      ),
      prune: db.prepare(`DELETE FROM outbox_rows WHERE state = 'committed' AND done_ms < ?`),
    };
    this.stateCommits = new StateCommits(db);
    this.pendingBytes = this.sumPendingBytes();
    this.maxSeqAtOpen = this.maxSeqInTable();
  }

  private sumPendingBytes(): number {
    const row = this.db
      .prepare(`SELECT COALESCE(SUM(bytes), 0) AS b FROM outbox_rows WHERE state IN ('pending', 'accepted')`)
      .get() as { b: number };
    return row.b;
  }

  private meta(key: string): number {
    const row = this.stmt.metaGet.get(key) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  /**
   * The next submission seq; call inside the transaction that appends it. The counter is kept in
   * `outbox_meta` (committed rows get pruned, their seqs must never come back) and re-read each time,
   * so a rolled-back transaction cannot leave a stale value in memory.
   */
  allocateSeq(): number {
    const next = Math.max(this.meta('lastSeq'), this.maxSeqAtOpen) + 1;
    this.stmt.metaSet.run('lastSeq', next);
    return next;
  }

  private maxSeqInTable(): number {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM outbox_rows').get() as { s: number };
    return row.s;
  }

  /** True if `bytes` more of this kind fit under the full policy. */
  hasRoomFor(bytes: number, critical: boolean): boolean {
    const max = this.limits.pendingBytesMax + (critical ? this.limits.criticalReserveBytes : 0);
    return this.pendingBytes + bytes <= max;
  }

  /** Counts a refusal under the full policy; the caller refuses the input before writing anything. */
  countRefused(payloads: number): void {
    this.stmt.bump.run('refused', payloads);
  }

  /** Appends entries; run it inside the caller's transaction. Throws LimitError when full. */
  append(entries: readonly NewOutboxEntry[]): void {
    const now = this.clock.now();
    let added = 0;
    for (const e of entries) {
      const bytes = typeof e.body === 'string' ? Buffer.byteLength(e.body) : e.body.length;
      if (!this.hasRoomFor(added + bytes, e.critical)) {
        throw new LimitError(
          'pendingBytesMax',
          this.limits.pendingBytesMax,
          this.pendingBytes + added + bytes,
        );
      }
      const expires = now + this.limits.submissionAgeMsMax;
      this.stmt.insert.run(
        e.seq,
        e.kind,
        e.header,
        bytes,
        e.payloadCount,
        e.critical ? 1 : 0,
        now,
        expires,
        now,
      );
      if (typeof e.body === 'string') this.stmt.insertBody.run(e.seq, e.body);
      else this.stmt.insertBodyBytes.run(e.seq, e.body);
      added += bytes;
    }
    this.pendingBytes += added;
  }

  /** Rolls back the in-memory byte count when the caller's transaction failed after append. */
  recount(): void {
    this.pendingBytes = this.sumPendingBytes();
  }

  /**
   * Rows due for an exchange, oldest first. Their `body` is read from the table when first used
   * (only a POST needs it), so listing them stays cheap whatever the batch size.
   */
  due(limit: number): OutboxEntry[] {
    return this.withLazyBodies(this.stmt.due.all(this.clock.now(), limit) as Omit<OutboxRow, 'body'>[]);
  }

  /**
   * Due rows in one state (`pending`: to POST; `accepted`: to ask for their status), oldest first:
   * of the `limit` oldest due, those not in `skip` (the exchanges under way), at most `take`. Rows
   * are read whole only for what is returned (listing 16 held GETs' rows to drop them all cost the
   * gateway ~0.1–0.3 ms per uploader turn).
   */
  dueIn(
    state: 'pending' | 'accepted',
    limit: number,
    skip?: { has(seq: number): boolean },
    take: number = limit,
  ): OutboxEntry[] {
    const stmt = state === 'pending' ? this.stmt.duePending : this.stmt.dueAccepted;
    const rows: Omit<OutboxRow, 'body'>[] = [];
    for (const seq of stmt.all(this.clock.now(), limit) as number[]) {
      if (rows.length >= take) break;
      if (skip?.has(seq)) continue;
      const row = this.stmt.stateRow.get(seq) as Omit<OutboxRow, 'body'> | undefined;
      if (row !== undefined) rows.push(row);
    }
    return this.withLazyBodies(rows);
  }

  private withLazyBodies(rows: Omit<OutboxRow, 'body'>[]): OutboxEntry[] {
    return rows.map((row) => {
      const entry = toEntry({ ...row, body: '' });
      let body: string | undefined;
      Object.defineProperty(entry, 'body', {
        enumerable: true,
        get: () => {
          body ??= (this.stmt.body.get(row.seq) as string | undefined) ?? '';
          return body;
        },
      });
      return entry;
    });
  }

  /**
   * A row's body as its UTF-8 bytes, as stored: what is sent and what receipts are checked against.
   * A ~1 MB body read as bytes costs a copy; read as a JS string it cost ~30x that, and sending or
   * hashing it turned it back into bytes.
   */
  bodyBytes(seq: number): Uint8Array | undefined {
    return this.stmt.bodyBytes.get(seq) as Buffer | undefined;
  }

  get(seq: number): OutboxEntry | undefined {
    const row = this.stmt.get.get(seq) as OutboxRow | undefined;
    return row ? toEntry(row) : undefined;
  }

  receipt(seq: number): string | null {
    const row = this.db.prepare('SELECT receipt FROM outbox_rows WHERE seq = ?').get(seq) as
      | { receipt: string | null }
      | undefined;
    return row?.receipt ?? null;
  }

  markAccepted(seq: number, nextAttemptMs: number): void {
    this.stateCommits.run(() => this.stmt.setState.run('accepted', 0, nextAttemptMs, null, null, null, seq));
  }

  markRetry(seq: number, error: string, nextAttemptMs: number, state: 'pending' | 'accepted'): void {
    this.stateCommits.run(() =>
      this.stmt.setState.run(state, 1, nextAttemptMs, error.slice(0, 500), null, null, seq),
    );
  }

  markCommitted(seq: number, receiptJson: string): void {
    this.finish(seq, 'committed', null, receiptJson);
  }

  markDead(seq: number, reason: string): void {
    this.finish(seq, 'dead', reason, null);
  }

  private finish(
    seq: number,
    state: 'committed' | 'dead',
    error: string | null,
    receipt: string | null,
  ): void {
    const entry = this.stmt.finishing.get(seq) as
      | { state: OutboxState; bytes: number; next_attempt_ms: number }
      | undefined;
    assert(entry !== undefined, `outbox seq ${seq} missing`);
    if (entry.state !== 'pending' && entry.state !== 'accepted') return;
    const now = this.clock.now();
    this.stateCommits.run(() =>
      this.stmt.setState.run(
        state,
        0,
        entry.next_attempt_ms,
        error?.slice(0, 500) ?? null,
        receipt,
        now,
        seq,
      ),
    );
    this.pendingBytes -= entry.bytes;
  }

  /** Moves submissions past their age limit to the dead letters; returns how many. */
  expire(): number {
    const rows = this.stmt.expired.all(this.clock.now()) as { seq: number }[];
    const run = this.db.transaction(() => {
      for (const { seq } of rows) this.markDead(seq, 'expired: not committed within submissionAgeMsMax');
      if (rows.length > 0) this.stmt.bump.run('expired', rows.length);
    });
    run();
    return rows.length;
  }

  /** Deletes committed rows past their retention, with their bodies; returns how many. */
  pruneCommitted(): number {
    const before = this.clock.now() - this.limits.committedRetentionMs;
    const run = this.db.transaction(() => {
      this.stmt.pruneBodies.run(before);
      return this.stmt.prune.run(before).changes;
    });
    return run();
  }

  deadLetters(limit = 100): DeadLetter[] {
    return deadLetters(this.db, limit);
  }

  stats(): OutboxStats {
    const counts = countsByState(this.db);
    const by = (s: OutboxState) => counts.get(s);
    const oldest = [by('pending')?.oldest, by('accepted')?.oldest].filter((x): x is number => x != null);
    return {
      pending: by('pending')?.n ?? 0,
      accepted: by('accepted')?.n ?? 0,
      committed: by('committed')?.n ?? 0,
      dead: by('dead')?.n ?? 0,
      pendingBytes: this.pendingBytes,
      pendingPayloads: (by('pending')?.p ?? 0) + (by('accepted')?.p ?? 0),
      refused: this.meta('refused'),
      expired: this.meta('expired'),
      oldestPendingMs: oldest.length > 0 ? Math.min(...oldest) : null,
    };
  }
}
