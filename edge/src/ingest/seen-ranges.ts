import type { Db } from '../gateway/database.ts';

/**
 * The durable duplicate check: which (device, ledger seq) pairs the gateway has accepted, kept as
 * disjoint ranges `[lo, hi]` per device rather than one row per reading. Devices count up, so a
 * flush extends each device's top range in memory (`mark`) and writes it once (`save`): one SELECT
 * and one upsert per device per flush where there was one insert per reading. Late gap fills,
 * retransmissions from an earlier boot and anything below the top range take an indexed lookup and
 * a row of their own, so the check stays a set, not a high-water mark.
 *
 * Invariant: a device's ranges are disjoint, and the top one has the highest `lo`. A seq one above
 * the top's `hi` extends it (nothing lies above the top); a seq further up starts a new top; a seq
 * below the top's `lo` is looked up in the range with the highest `lo` at or below it, the only one
 * that can hold it, and joins it when it is the seq right after that range's `hi`.
 *
 * `seen_ms` is when a range last grew; `prune` forgets ranges that have not grown for the dedupe
 * window. A range still growing keeps its old seqs too, so nothing is forgotten sooner than before.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS reading_seen_range (
  device_id TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, seen_ms INTEGER NOT NULL,
  PRIMARY KEY (device_id, lo)
) WITHOUT ROWID;
`;

/**
 * Gateways before session 7 kept one `reading_seen (device_id, seq, seen_ms)` row per reading. Runs
 * of consecutive seqs (gaps and islands: seq minus its rank is constant along a run) become ranges,
 * each with its newest `seen_ms`; then the old table goes. One transaction, so it runs once or not.
 */
const MIGRATE_ROWS = `
INSERT INTO reading_seen_range (device_id, lo, hi, seen_ms)
SELECT device_id, MIN(seq), MAX(seq), MAX(seen_ms) FROM (
  SELECT device_id, seq, seen_ms, seq - ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY seq) AS run
  FROM reading_seen
) GROUP BY device_id, run;
DROP TABLE reading_seen;
`;

/** A device's top range as a flush holds it; `dirty` once it grew and must be saved. */
export interface SeenTop {
  lo: number;
  hi: number;
  dirty: boolean;
}

export class SeenRanges {
  private readonly stmt;

  constructor(db: Db) {
    db.transaction(() => {
      db.exec(SCHEMA);
      const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reading_seen'");
      if (old.get() !== undefined) db.exec(MIGRATE_ROWS);
    })();
    this.stmt = {
      top: db.prepare('SELECT lo, hi FROM reading_seen_range WHERE device_id = ? ORDER BY lo DESC LIMIT 1'),
      below: db.prepare(
        'SELECT lo, hi FROM reading_seen_range WHERE device_id = ? AND lo <= ? ORDER BY lo DESC LIMIT 1',
      ),
      put: db.prepare(
        `INSERT INTO reading_seen_range (device_id, lo, hi, seen_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT(device_id, lo) DO UPDATE SET hi = excluded.hi, seen_ms = excluded.seen_ms`,
      ),
      prune: db.prepare('DELETE FROM reading_seen_range WHERE seen_ms < ?'),
    };
  }

  /** The device's top range as stored, or null for a device never seen (or pruned). */
  top(deviceId: string): SeenTop | null {
    const row = this.stmt.top.get(deviceId) as { lo: number; hi: number } | undefined;
    return row ? { lo: row.lo, hi: row.hi, dirty: false } : null;
  }

  /**
   * True the first time (device, seq) is seen; false for a duplicate. `holder.seenTop` is the device's
   * top range for this flush (from `top`); it is moved on in place, and the caller saves it with
   * `save` before the flush commits. Ranges below it are written at once.
   */
  mark(deviceId: string, holder: { seenTop: SeenTop | null }, seq: number, nowMs: number): boolean {
    const top = holder.seenTop;
    if (top !== null) {
      if (seq === top.hi + 1) {
        top.hi = seq;
        top.dirty = true;
        return true;
      }
      if (seq >= top.lo && seq <= top.hi) return false;
      if (seq < top.lo) return this.markBelow(deviceId, seq, nowMs);
      this.save(deviceId, top, nowMs);
    }
    holder.seenTop = { lo: seq, hi: seq, dirty: true };
    return true;
  }

  /** Writes a grown top range (no-op when it did not grow). */
  save(deviceId: string, top: SeenTop | null, nowMs: number): void {
    if (top === null || !top.dirty) return;
    this.stmt.put.run(deviceId, top.lo, top.hi, nowMs);
    top.dirty = false;
  }

  /** Forgets ranges that have not grown since `beforeMs`; returns how many went. */
  prune(beforeMs: number): number {
    return this.stmt.prune.run(beforeMs).changes;
  }

  private markBelow(deviceId: string, seq: number, nowMs: number): boolean {
    const below = this.stmt.below.get(deviceId, seq) as { lo: number; hi: number } | undefined;
    if (below !== undefined && seq <= below.hi) return false;
    const lo = below !== undefined && seq === below.hi + 1 ? below.lo : seq;
    this.stmt.put.run(deviceId, lo, seq, nowMs);
    return true;
  }
}
