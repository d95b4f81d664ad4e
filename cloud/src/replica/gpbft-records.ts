import { decodeGroupedRecord, encodeGroupedRecord, type GroupedRecord } from '../gpbft/index.ts';
import { persistRecordSeq } from './record-codec.ts';
import type { Sqlite } from './sqlite.ts';

/**
 * A gpbft replica's consensus records, in the replica database beside the flat tables (table
 * `gpbft_records`, created on first use; a flat replica never has it). Each row is one
 * GroupedRecord in the gpbft record codec, with its layer, kind and seq for truncation:
 * - group/top flat records are pruned like the flat store does, per layer: a truncateBelow drops that
 *   layer's log/prepared records under it and all but its newest view/checkpoint/truncate records;
 * - groupBatch and decision records are kept (the node replays group batches from 1 on restart and
 *   serves decisions to lagging members) — they grow with the history, like the batches table.
 */
export class GroupedRecordStore {
  private readonly insert;
  private readonly truncate;
  private readonly dropSuperseded;
  private readonly db: Sqlite;

  constructor(db: Sqlite) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS gpbft_records (id INTEGER PRIMARY KEY AUTOINCREMENT,
      layer TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL)`);
    this.insert = db.prepare('INSERT INTO gpbft_records (layer, kind, seq, data) VALUES (?, ?, ?, ?)');
    this.truncate = db.prepare(
      "DELETE FROM gpbft_records WHERE layer = ? AND kind IN ('log', 'prepared') AND seq < ?",
    );
    this.dropSuperseded = db.prepare(
      `DELETE FROM gpbft_records WHERE layer = ? AND kind IN ('view', 'stableCheckpoint', 'truncateBelow')
         AND id NOT IN (SELECT MAX(id) FROM gpbft_records WHERE layer = ?
           AND kind IN ('view', 'stableCheckpoint', 'truncateBelow') GROUP BY kind)`,
    );
  }

  load(): GroupedRecord[] {
    const rows = this.db.prepare('SELECT data FROM gpbft_records ORDER BY id').all() as { data: Buffer }[];
    return rows.map((row) => decodeGroupedRecord(row.data));
  }

  /** Called inside the driver's transaction (see gpbft-port.ts). */
  save(records: readonly GroupedRecord[]): void {
    for (const record of records) {
      const bytes = encodeGroupedRecord(record);
      if (record.layer === 'groupBatch' || record.layer === 'decision') {
        this.insert.run(record.layer, record.layer, record.batch.seq, bytes);
        continue;
      }
      const inner = record.record;
      this.insert.run(record.layer, inner.kind, persistRecordSeq(inner), bytes);
      if (inner.kind === 'truncateBelow') {
        this.truncate.run(record.layer, inner.seq);
        this.dropSuperseded.run(record.layer, record.layer);
      }
    }
  }
}
