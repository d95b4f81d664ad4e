import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ledgerMetricsReader } from './ledger-metrics.ts';

describe('ledger metrics', () => {
  it('counts rejections by code incrementally and reads chain heads', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE submissions (submitter TEXT, seq INTEGER, batch_seq INTEGER, status TEXT, reason TEXT);
             CREATE INDEX submissions_by_status ON submissions (status, batch_seq);`);
    const put = db.prepare('INSERT INTO submissions VALUES (?, ?, ?, ?, ?)');
    const heads: Record<string, number> = { registry: 2 };
    const read = ledgerMetricsReader({
      db,
      config: { chains: [{ name: 'registry' }, { name: 'trace' }] },
      chains: { head: (chain) => (chain in heads ? { height: heads[chain]! } : null) },
    });
    put.run('a', 1, 1, 'committed', null);
    put.run('a', 2, 1, 'rejected', JSON.stringify({ code: 'auth.unknownKey', message: 'x' }));
    expect(read()).toEqual({ chainHeights: { registry: 2, trace: 0 }, rejections: { 'auth.unknownKey': 1 } });
    put.run('a', 3, 2, 'rejected', JSON.stringify({ code: 'auth.unknownKey', message: 'x' }));
    put.run('b', 1, 2, 'rejected', JSON.stringify({ code: 'payload.shape', message: 'y' }));
    heads.trace = 5;
    expect(read()).toEqual({
      chainHeights: { registry: 2, trace: 5 },
      rejections: { 'auth.unknownKey': 2, 'payload.shape': 1 },
    });
    expect(read().rejections).toEqual({ 'auth.unknownKey': 2, 'payload.shape': 1 });
    db.close();
  });
});
