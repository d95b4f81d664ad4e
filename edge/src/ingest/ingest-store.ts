import type { Db } from '../gateway/database.ts';
import { SeenRanges } from './seen-ranges.ts';
import { type DeviceSeqState, freshSeqState } from './sequence-tracker.ts';

/**
 * The ingest side's tables, in the same SQLite file as the outbox so that one transaction records a
 * message's readings in the outbox, its bad parts in quarantine and its sequence state together.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS device_seq (
  device_id TEXT PRIMARY KEY, epoch INTEGER NOT NULL, high_seq INTEGER NOT NULL, last_time_ms INTEGER NOT NULL,
  resets INTEGER NOT NULL, gaps INTEGER NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0, last_seen_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sequence_gap (
  id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, after_seq INTEGER NOT NULL, next_seq INTEGER NOT NULL,
  detected_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL, device_id TEXT, source TEXT NOT NULL,
  reason TEXT NOT NULL, detail TEXT NOT NULL, payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tag_read (
  id INTEGER PRIMARY KEY, reader_id TEXT NOT NULL, epc TEXT NOT NULL, time_ms INTEGER NOT NULL,
  rssi REAL, antenna INTEGER
);
CREATE TABLE IF NOT EXISTS ingest_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export interface DeviceCounters {
  duplicates: number;
  accepted: number;
  quarantined: number;
}

export interface QuarantineRow {
  receivedMs: number;
  deviceId: string | null;
  source: string;
  reason: string;
  detail: string;
  payload: string;
}

export class IngestStore {
  private readonly db: Db;
  private readonly stmt;
  /** The duplicate check, by (device, ledger seq) ranges (seen-ranges.ts). */
  readonly seen: SeenRanges;

  constructor(db: Db) {
    this.db = db;
    db.exec(SCHEMA);
    this.seen = new SeenRanges(db);
    this.stmt = {
      seqGet: db.prepare('SELECT * FROM device_seq WHERE device_id = ?'),
      seqPut: db.prepare(
        `INSERT INTO device_seq (device_id, epoch, high_seq, last_time_ms, resets, gaps, duplicates, accepted,
           quarantined, last_seen_ms) VALUES (@id, @epoch, @highSeq, @lastTimeMs, @resets, @gaps, @duplicates,
           @accepted, @quarantined, @now)
         ON CONFLICT(device_id) DO UPDATE SET epoch = @epoch, high_seq = @highSeq, last_time_ms = @lastTimeMs,
           resets = @resets, gaps = @gaps, duplicates = duplicates + @duplicates, accepted = accepted + @accepted,
           quarantined = quarantined + @quarantined, last_seen_ms = @now`,
      ),
      gap: db.prepare(
        'INSERT INTO sequence_gap (device_id, after_seq, next_seq, detected_ms) VALUES (?, ?, ?, ?)',
      ),
      quarantine: db.prepare(
        'INSERT INTO quarantine (received_ms, device_id, source, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      quarantineTrim: db.prepare('DELETE FROM quarantine WHERE id <= ?'),
      quarantineMax: db.prepare('SELECT MAX(id) AS id, COUNT(*) AS n FROM quarantine'),
      tag: db.prepare('INSERT INTO tag_read (reader_id, epc, time_ms, rssi, antenna) VALUES (?, ?, ?, ?, ?)'),
      bump: db.prepare(
        'INSERT INTO ingest_counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value',
      ),
    };
  }

  seqState(deviceId: string): DeviceSeqState {
    const row = this.stmt.seqGet.get(deviceId) as
      | { epoch: number; high_seq: number; last_time_ms: number; resets: number; gaps: number }
      | undefined;
    if (!row) return freshSeqState();
    return {
      epoch: row.epoch,
      highSeq: row.high_seq,
      lastTimeMs: row.last_time_ms,
      resets: row.resets,
      gaps: row.gaps,
    };
  }

  putSeqState(deviceId: string, state: DeviceSeqState, counters: DeviceCounters, nowMs: number): void {
    this.stmt.seqPut.run({ id: deviceId, ...state, ...counters, now: nowMs });
  }

  recordGap(deviceId: string, after: number, next: number, nowMs: number): void {
    this.stmt.gap.run(deviceId, after, next, nowMs);
  }

  quarantine(row: QuarantineRow): void {
    this.stmt.quarantine.run(row.receivedMs, row.deviceId, row.source, row.reason, row.detail, row.payload);
  }

  /** Keeps at most `rowsMax` quarantine rows; the evicted are counted, never silently gone. */
  trimQuarantine(rowsMax: number): void {
    const { id, n } = this.stmt.quarantineMax.get() as { id: number | null; n: number };
    if (id === null || n <= rowsMax) return;
    this.stmt.quarantineTrim.run(id - rowsMax);
    this.bump('quarantineEvicted', n - rowsMax);
  }

  recordTagRead(readerId: string, epc: string, timeMs: number, rssi?: number, antenna?: number): void {
    this.stmt.tag.run(readerId, epc, timeMs, rssi ?? null, antenna ?? null);
  }

  bump(name: string, by: number): void {
    if (by !== 0) this.stmt.bump.run(name, by);
  }

  counters(): Record<string, number> {
    const rows = this.db.prepare('SELECT name, value FROM ingest_counter').all() as {
      name: string;
      value: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  quarantined(limit = 100): QuarantineRow[] {
    const rows = this.db
      .prepare(
        'SELECT received_ms, device_id, source, reason, detail, payload FROM quarantine ORDER BY id DESC LIMIT ?',
      )
      .all(limit) as {
      received_ms: number;
      device_id: string | null;
      source: string;
      reason: string;
      detail: string;
      payload: string;
    }[];
    return rows.map((r) => ({
      receivedMs: r.received_ms,
      deviceId: r.device_id,
      source: r.source,
      reason: r.reason,
      detail: r.detail,
      payload: r.payload,
    }));
  }

  devices(): {
    deviceId: string;
    accepted: number;
    duplicates: number;
    quarantined: number;
    gaps: number;
    resets: number;
    lastSeenMs: number;
  }[] {
    const rows = this.db
      .prepare(
        'SELECT device_id, accepted, duplicates, quarantined, gaps, resets, last_seen_ms FROM device_seq ORDER BY device_id',
      )
      .all() as {
      device_id: string;
      accepted: number;
      duplicates: number;
      quarantined: number;
      gaps: number;
      resets: number;
      last_seen_ms: number;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      accepted: r.accepted,
      duplicates: r.duplicates,
      quarantined: r.quarantined,
      gaps: r.gaps,
      resets: r.resets,
      lastSeenMs: r.last_seen_ms,
    }));
  }

  /** Forgets duplicate-check ranges that have not grown since `beforeMs`. */
  pruneSeen(beforeMs: number): number {
    return this.seen.prune(beforeMs);
  }
}
