import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { DEVICE_SEQ_LIMIT } from './ingest-limits.ts';
import { IngestStore } from './ingest-store.ts';
import { SeenRanges, type SeenTop } from './seen-ranges.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seen-'));
  db = openDatabase(join(dir, 'gateway.db'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One flush as the pipeline runs it: tops loaded per device on first use, saved before commit. */
function flush(seen: SeenRanges, marks: readonly [string, number][], nowMs: number): boolean[] {
  return db.transaction(() => {
    const holders = new Map<string, { seenTop: SeenTop | null }>();
    const results = marks.map(([device, seq]) => {
      let holder = holders.get(device);
      if (!holder) {
        holder = { seenTop: seen.top(device) };
        holders.set(device, holder);
      }
      return seen.mark(device, holder, seq, nowMs);
    });
    for (const [device, holder] of holders) seen.save(device, holder.seenTop, nowMs);
    return results;
  })();
}

function ranges(): { device_id: string; lo: number; hi: number }[] {
  return db.prepare('SELECT device_id, lo, hi FROM reading_seen_range ORDER BY device_id, lo').all() as {
    device_id: string;
    lo: number;
    hi: number;
  }[];
}

describe('seen ranges (the duplicate check)', () => {
  it('answers as a set of (device, seq) over many flushes: runs, gaps, late fills, old epochs, repeats', () => {
    const seen = new SeenRanges(db);
    const rng = new SeededRng(11);
    const reference = new Set<string>();
    const next = new Map<string, number>();
    for (let f = 0; f < 300; f++) {
      const marks: [string, number][] = [];
      for (let i = 0; i < 40; i++) {
        const device = `d${rng.int(4)}`;
        const high = next.get(device) ?? 0;
        const roll = rng.int(10);
        // Mostly the next seq; else a jump, a new epoch, a repeat or a fill of something below.
        let seq = high;
        if (roll === 0) seq = high + 1 + rng.int(5);
        else if (roll === 1) seq = (Math.floor(high / DEVICE_SEQ_LIMIT) + 1) * DEVICE_SEQ_LIMIT + rng.int(3);
        else if (roll === 2 || roll === 3) seq = Math.max(0, high - 1 - rng.int(12));
        if (seq >= high) next.set(device, seq + 1);
        marks.push([device, seq]);
      }
      const got = flush(seen, marks, 1000 + f);
      const expected = marks.map(([device, seq]) => {
        const key = `${device}/${seq}`;
        const fresh = !reference.has(key);
        reference.add(key);
        return fresh;
      });
      expect(got).toEqual(expected);
    }
    // Stored ranges are disjoint and hold exactly the reference set.
    const stored = new Set<string>();
    let last = { device: '', hi: -1 };
    for (const r of ranges()) {
      if (r.device_id === last.device) expect(r.lo).toBeGreaterThan(last.hi);
      last = { device: r.device_id, hi: r.hi };
      for (let s = r.lo; s <= r.hi; s++) stored.add(`${r.device_id}/${s}`);
    }
    expect(stored).toEqual(reference);
    expect(ranges().length).toBeLessThan(reference.size / 2);
  });

  it('keeps one row per device while devices count up, however many flushes', () => {
    const seen = new SeenRanges(db);
    for (let f = 0; f < 5; f++) {
      const marks = Array.from({ length: 200 }, (_, i): [string, number] => [
        `d${i % 2}`,
        f * 100 + (i >> 1),
      ]);
      expect(flush(seen, marks, f)).toEqual(marks.map(() => true));
    }
    expect(ranges()).toEqual([
      { device_id: 'd0', lo: 0, hi: 499 },
      { device_id: 'd1', lo: 0, hi: 499 },
    ]);
  });

  it('keeps a flush that rolled back out of the check', () => {
    const seen = new SeenRanges(db);
    expect(
      flush(
        seen,
        [
          ['a', 0],
          ['a', 1],
        ],
        1,
      ),
    ).toEqual([true, true]);
    expect(() =>
      db.transaction(() => {
        const holder = { seenTop: seen.top('a') };
        seen.mark('a', holder, 2, 2);
        seen.mark('a', holder, 9, 2);
        seen.save('a', holder.seenTop, 2);
        throw new Error('flush failed');
      })(),
    ).toThrow('flush failed');
    expect(
      flush(
        seen,
        [
          ['a', 2],
          ['a', 9],
          ['a', 1],
        ],
        3,
      ),
    ).toEqual([true, true, false]);
  });

  it('forgets only ranges that have not grown within the window', () => {
    const seen = new SeenRanges(db);
    flush(
      seen,
      [
        ['a', 0],
        ['b', 0],
        ['b', 5],
      ],
      100,
    );
    flush(seen, [['a', 1]], 200);
    expect(seen.prune(150)).toBe(2);
    expect(
      flush(
        seen,
        [
          ['a', 0],
          ['b', 0],
          ['b', 5],
        ],
        300,
      ),
    ).toEqual([false, true, true]);
  });

  it('migrates a gateway database of the old shape (one reading_seen row per reading) into ranges', () => {
    db.exec(`CREATE TABLE reading_seen (
      device_id TEXT NOT NULL, seq INTEGER NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (device_id, seq)
    ) WITHOUT ROWID;`);
    const insert = db.prepare('INSERT INTO reading_seen (device_id, seq, seen_ms) VALUES (?, ?, ?)');
    const old: [string, number][] = [];
    for (let s = 0; s < 50; s++) if (s !== 20 && s !== 21) old.push(['a', s]);
    old.push(['a', DEVICE_SEQ_LIMIT], ['a', DEVICE_SEQ_LIMIT + 1], ['b', 7]);
    for (const [i, [device, seq]] of old.entries()) insert.run(device, seq, 10 + i);
    const store = new IngestStore(db);
    expect(ranges()).toEqual([
      { device_id: 'a', lo: 0, hi: 19 },
      { device_id: 'a', lo: 22, hi: 49 },
      { device_id: 'a', lo: DEVICE_SEQ_LIMIT, hi: DEVICE_SEQ_LIMIT + 1 },
      { device_id: 'b', lo: 7, hi: 7 },
    ]);
    const seenMs = db.prepare('SELECT seen_ms FROM reading_seen_range WHERE lo = 22').get() as {
      seen_ms: number;
    };
    expect(seenMs.seen_ms).toBe(10 + 47);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'reading_seen'").get()).toBeUndefined();
    const again = [...old, ['a', 20], ['a', 21], ['a', DEVICE_SEQ_LIMIT + 2], ['b', 8]] as [string, number][];
    expect(flush(store.seen, again, 1000)).toEqual([...old.map(() => false), true, true, true, true]);
    // Opening it again finds nothing to migrate and keeps the ranges.
    new IngestStore(db);
    expect(flush(store.seen, again, 1001)).toEqual(again.map(() => false));
  });
});
