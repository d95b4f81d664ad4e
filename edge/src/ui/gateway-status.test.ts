import { ManualClock } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../gateway/database.ts';
import { defaultOutboxLimits } from '../outbox/outbox-limits.ts';
import { OutboxStore } from '../outbox/outbox-store.ts';
import {
  latestReadings,
  readingBodyBytesScannedMax,
  readingSubmissionsScannedMax,
} from './gateway-status.ts';

function dbWithReadingRows(rows: { deviceId: string; readings: number; time: number }[]) {
  const db = openDatabase(':memory:');
  new OutboxStore(db, new ManualClock(0), defaultOutboxLimits);
  const insert = db.prepare(
    `INSERT INTO outbox (kind, body, header, bytes, payload_count, critical, created_ms, expires_ms, state, next_attempt_ms)
     VALUES ('readings', ?, '{}', 0, ?, 0, 0, 0, 'pending', 0)`,
  );
  for (const row of rows) {
    const payloads = Array.from({ length: row.readings }, (_, i) => ({
      reading: { deviceId: row.deviceId, type: 'temperature', value: i, uom: 'CEL', time: row.time + i },
    }));
    const body = JSON.stringify({ submission: { payloads } });
    insert.run(body, row.readings);
  }
  return db;
}

describe('latestReadings', () => {
  it('reads the newest reading per device and type from the newest submissions', () => {
    const db = dbWithReadingRows([
      { deviceId: 'dev-a', readings: 3, time: 1000 },
      { deviceId: 'dev-b', readings: 2, time: 2000 },
    ]);
    const latest = latestReadings(db);
    expect(latest.get('dev-a')?.get('temperature')).toMatchObject({ value: 2, time: 1002 });
    expect(latest.get('dev-b')?.get('temperature')).toMatchObject({ value: 1, time: 2001 });
    db.close();
  });

  it('stops after the newest submission once its body passes the byte budget', () => {
    // ~100 bytes a reading: a body past the budget, as a 4,096-reading submission is.
    const big = Math.ceil(readingBodyBytesScannedMax / 80);
    const db = dbWithReadingRows([
      { deviceId: 'dev-old', readings: 1, time: 1000 },
      { deviceId: 'dev-new', readings: big, time: 5000 },
    ]);
    const latest = latestReadings(db);
    expect([...latest.keys()]).toEqual(['dev-new']);
    db.close();
  });

  it('reads at most the newest few submissions when they are small', () => {
    const rows = Array.from({ length: readingSubmissionsScannedMax + 2 }, (_, i) => ({
      deviceId: `dev-${i}`,
      readings: 1,
      time: 1000 + i,
    }));
    const latest = latestReadings(dbWithReadingRows(rows));
    expect(latest.size).toBe(readingSubmissionsScannedMax);
    expect(latest.has('dev-0')).toBe(false);
    expect(latest.has(`dev-${readingSubmissionsScannedMax + 1}`)).toBe(true);
  });
});
