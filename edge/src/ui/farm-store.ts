import type { Db } from '../gateway/database.ts';
import type { SprayingRecord } from './pre-harvest.ts';

/**
 * The farmer UI's own tables in gateway.db: plots, lots, field work (what the PHI rule needs) and
 * commissioned items with their bound tags. Migrations are numbered; `ui_migration` records which ran.
 */
const migrations: readonly string[] = [
  `CREATE TABLE plot (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
     area_ha REAL NOT NULL, crop TEXT NOT NULL, created_ms INTEGER NOT NULL);
   CREATE TABLE lot (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, plot_id INTEGER NOT NULL REFERENCES plot(id),
     quantity_kg REAL NOT NULL, harvested_ms INTEGER NOT NULL, outbox_seq INTEGER NOT NULL);
   CREATE TABLE field_work (id INTEGER PRIMARY KEY, plot_id INTEGER NOT NULL REFERENCES plot(id), kind TEXT NOT NULL,
     time_ms INTEGER NOT NULL, product TEXT, amount REAL, phi_days INTEGER, outbox_seq INTEGER NOT NULL);
   CREATE INDEX field_work_plot ON field_work(plot_id, kind, time_ms);
   CREATE TABLE item (serial INTEGER PRIMARY KEY, lot_id INTEGER NOT NULL REFERENCES lot(id), tag_epc TEXT UNIQUE);`,
];

export interface Plot {
  id: number;
  code: string;
  name: string;
  areaHa: number;
  crop: string;
}
export interface Lot {
  id: number;
  code: string;
  plotId: number;
  quantityKg: number;
  harvestedMs: number;
}
export interface Item {
  serial: number;
  lotId: number;
  tagEpc: string | null;
}
export type FieldWorkKind = 'planting' | 'fertilising' | 'spraying' | 'irrigating';
export interface FieldWork {
  plotId: number;
  kind: FieldWorkKind;
  timeMs: number;
  product: string | null;
  amount: number | null;
  phiDays: number | null;
}

export class FarmStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    db.exec(
      'CREATE TABLE IF NOT EXISTS ui_migration (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)',
    );
    const done = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM ui_migration').get() as { v: number };
    migrations.forEach((sql, i) => {
      if (i + 1 <= done.v) return;
      db.transaction(() => {
        db.exec(sql);
        db.prepare('INSERT INTO ui_migration (version, applied_ms) VALUES (?, ?)').run(i + 1, Date.now());
      })();
    });
  }

  plots(): Plot[] {
    return this.db
      .prepare('SELECT id, code, name, area_ha AS areaHa, crop FROM plot ORDER BY code')
      .all() as Plot[];
  }

  plot(id: number): Plot | undefined {
    return this.db.prepare('SELECT id, code, name, area_ha AS areaHa, crop FROM plot WHERE id = ?').get(id) as
      | Plot
      | undefined;
  }

  plotByCode(code: string): Plot | undefined {
    return this.db.prepare('SELECT id FROM plot WHERE code = ?').get(code) as Plot | undefined;
  }

  addPlot(p: Omit<Plot, 'id'>, nowMs: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO plot (code, name, area_ha, crop, created_ms) VALUES (?, ?, ?, ?, ?)')
        .run(p.code, p.name, p.areaHa, p.crop, nowMs).lastInsertRowid,
    );
  }

  lots(): (Lot & { plotCode: string; items: number })[] {
    return this.db
      .prepare(
        `SELECT lot.id, lot.code, plot_id AS plotId, quantity_kg AS quantityKg, harvested_ms AS harvestedMs,
           plot.code AS plotCode, (SELECT COUNT(*) FROM item WHERE item.lot_id = lot.id) AS items
         FROM lot JOIN plot ON plot.id = lot.plot_id ORDER BY harvested_ms DESC LIMIT 200`,
      )
      .all() as (Lot & { plotCode: string; items: number })[];
  }

  lot(id: number): Lot | undefined {
    return this.db
      .prepare(
        'SELECT id, code, plot_id AS plotId, quantity_kg AS quantityKg, harvested_ms AS harvestedMs FROM lot WHERE id = ?',
      )
      .get(id) as Lot | undefined;
  }

  lotByCode(code: string): Lot | undefined {
    return this.db.prepare('SELECT id FROM lot WHERE code = ?').get(code) as Lot | undefined;
  }

  addLot(l: Omit<Lot, 'id'>, outboxSeq: number): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO lot (code, plot_id, quantity_kg, harvested_ms, outbox_seq) VALUES (?, ?, ?, ?, ?)',
        )
        .run(l.code, l.plotId, l.quantityKg, l.harvestedMs, outboxSeq).lastInsertRowid,
    );
  }

  /** Serials are allocated from the highest one issued, so they never repeat on this gateway. */
  nextSerial(): number {
    const row = this.db.prepare('SELECT COALESCE(MAX(serial), 0) AS s FROM item').get() as { s: number };
    return row.s + 1;
  }

  addItems(items: readonly Item[]): void {
    const insert = this.db.prepare('INSERT INTO item (serial, lot_id, tag_epc) VALUES (?, ?, ?)');
    for (const item of items) insert.run(item.serial, item.lotId, item.tagEpc);
  }

  items(lotId: number): Item[] {
    return this.db
      .prepare('SELECT serial, lot_id AS lotId, tag_epc AS tagEpc FROM item WHERE lot_id = ? ORDER BY serial')
      .all(lotId) as Item[];
  }

  boundTags(epcs: readonly string[]): string[] {
    const q = this.db.prepare('SELECT tag_epc FROM item WHERE tag_epc = ?');
    return epcs.filter((epc) => q.get(epc) !== undefined);
  }

  addFieldWork(w: FieldWork, outboxSeq: number): void {
    this.db
      .prepare(
        `INSERT INTO field_work (plot_id, kind, time_ms, product, amount, phi_days, outbox_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(w.plotId, w.kind, w.timeMs, w.product, w.amount, w.phiDays, outboxSeq);
  }

  recentFieldWork(limitRows = 20): (FieldWork & { plotCode: string })[] {
    return this.db
      .prepare(
        `SELECT plot_id AS plotId, kind, time_ms AS timeMs, product, amount, phi_days AS phiDays, plot.code AS plotCode
         FROM field_work JOIN plot ON plot.id = plot_id ORDER BY time_ms DESC LIMIT ?`,
      )
      .all(limitRows) as (FieldWork & { plotCode: string })[];
  }

  /** Sprayings whose interval could still be running: the longest PHI we accept is 365 days. */
  sprayings(plotId: number, sinceMs: number): SprayingRecord[] {
    return this.db
      .prepare(
        `SELECT time_ms AS timeMs, phi_days AS preHarvestIntervalDays, COALESCE(product, '') AS productName
         FROM field_work WHERE plot_id = ? AND kind = 'spraying' AND time_ms >= ?`,
      )
      .all(plotId, sinceMs) as SprayingRecord[];
  }
}
