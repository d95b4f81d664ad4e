import { join } from 'node:path';
import type { Payload } from '@suyuan/shared';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerMachine } from './ledger-machine.ts';
import { migrate, schemaVersion } from './schema.ts';
import { actor, type LedgerFixture, ledgerFixture, register, submitBody, T0 } from './testing.ts';

/** Schema step 3: `txs` from a WITHOUT ROWID table to a rowid table with a unique index. */

let fx: LedgerFixture | undefined;
afterEach(() => fx?.cleanup());

/** A ledger with a few transactions on more than one chain, its tables then put back in v2's shape. */
function ledgerOfTheOldShape(): { fixture: LedgerFixture; path: string } {
  const fixture = ledgerFixture();
  const gateway = actor('farm-gw');
  const bind: Payload = {
    kind: 'registry',
    action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
  };
  expect(fixture.run(submitBody(fixture.admin, [register(gateway, ['farm'])], T0))?.status).toBe('committed');
  expect(fixture.run(submitBody(gateway, [bind], T0))?.status).toBe('committed');
  for (let b = 0; b < 3; b++) {
    const payloads = [1, 2, 3].map(
      (i): Payload => ({
        kind: 'reading',
        reading: {
          deviceId: 'probe-1',
          seq: b * 3 + i,
          time: T0 + b * 60_000 + i,
          type: 'Temperature',
          value: i,
          uom: 'CEL',
        },
      }),
    );
    expect(fixture.run(submitBody(gateway, payloads, T0 + b * 60_000 + 10))?.status).toBe('committed');
  }
  fixture.machine.db.exec(`
    CREATE TABLE txs_v2 (
      chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL, leaf_hash BLOB NOT NULL,
      tx TEXT NOT NULL, PRIMARY KEY (chain, height, idx)) WITHOUT ROWID;
    INSERT INTO txs_v2 SELECT chain, height, idx, leaf_hash, tx FROM txs;
    DROP TABLE txs;
    ALTER TABLE txs_v2 RENAME TO txs;
    UPDATE ledger_schema SET version = 2;`);
  return { fixture, path: join(fixture.dir, 'ledger.sqlite') };
}

const allTxs = (db: Database.Database) =>
  db
    .prepare(
      'SELECT chain, height, idx, leaf_hash, tx, typeof(tx) AS type FROM txs ORDER BY chain, height, idx',
    )
    .all();
const txsSql = (db: Database.Database) =>
  (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'txs'").get() as { sql: string })
    .sql;

describe('ledger schema step 3 (txs as a rowid table)', () => {
  it('copies every tx of a v2 ledger unchanged, keeps (chain, height, idx) unique and serves proofs', () => {
    const { fixture, path } = ledgerOfTheOldShape();
    fx = fixture;
    const db = fixture.machine.db;
    expect(txsSql(db)).toMatch(/WITHOUT ROWID/);
    const before = allTxs(db);
    expect(before.length).toBeGreaterThanOrEqual(5);
    const leavesBefore = fixture.machine.chains.leafHashes('telemetry', 1);
    migrate(db);
    expect((db.prepare('SELECT version FROM ledger_schema').get() as { version: number }).version).toBe(
      schemaVersion,
    );
    expect(txsSql(db)).not.toMatch(/WITHOUT ROWID/);
    expect(allTxs(db)).toEqual(before);
    const [first] = before as { chain: string; height: number; idx: number }[];
    expect(() =>
      db
        .prepare('INSERT INTO txs (chain, height, idx, leaf_hash, tx) VALUES (?, ?, ?, ?, ?)')
        .run(first!.chain, first!.height, first!.idx, new Uint8Array(32), '{}'),
    ).toThrow(/UNIQUE/);
    // A machine opened on the migrated file reads the same transactions and leaves.
    fixture.machine.close();
    const reopened = new LedgerMachine(path, fixture.machine.config);
    try {
      expect(reopened.chains.leafHashes('telemetry', 1)).toEqual(leavesBefore);
      expect(allTxs(reopened.db)).toEqual(before);
    } finally {
      reopened.close();
    }
  });

  it('creates a new ledger in the new shape', () => {
    const dir = ledgerFixture();
    fx = dir;
    expect(txsSql(dir.machine.db)).not.toMatch(/WITHOUT ROWID/);
    expect(dir.machine.db.pragma('page_size', { simple: true })).toBe(16_384);
  });
});
