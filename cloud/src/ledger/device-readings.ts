import type { Reading } from '@suyuan/shared';
import type Database from 'better-sqlite3';
import type { ChainStore } from './chain-store.ts';

/**
 * Device → reading batches (the `device_readings` index: one row per device and telemetry batch,
 * with the batch's time range for that device). A chart asks for one device over a time window;
 * the index names exactly the batches that hold its readings there, newest first, so the cost is
 * the batches read, not the telemetry chain's length. Used by `GET /v1/devices/{id}/readings` and,
 * in the web process, directly (`new DeviceReadings(machine.db, machine.chains)`).
 */

/** Most reading batches one query reads (then `truncated: true`). */
export const deviceBatchesReadMax = 500;

export interface DeviceReadingsPage {
  deviceId: string;
  /** Readings of the device with fromMs <= time <= toMs, oldest first, at most `limit` (the newest). */
  readings: Reading[];
  /** Where they are: the telemetry transactions read, newest first. */
  batches: { chain: string; height: number; index: number; count: number; tMin: number; tMax: number }[];
  /** True when older batches in the window were not read (limit or deviceBatchesReadMax reached). */
  truncated: boolean;
}

interface Row {
  t_max: number;
  t_min: number;
  count: number;
  chain: string;
  height: number;
  idx: number;
}

export class DeviceReadings {
  private readonly chains: ChainStore;
  private readonly inWindow;

  constructor(db: Database.Database, chains: ChainStore) {
    this.chains = chains;
    // Newest batches first among those ending at or after the window's start; stop at the window's end.
    this.inWindow = db.prepare(
      `SELECT t_max, t_min, count, chain, height, idx FROM device_readings
       WHERE device_id = ? AND t_max >= ? AND t_min <= ? ORDER BY t_max DESC LIMIT ?`,
    );
  }

  readings(deviceId: string, fromMs: number, toMs: number, limit: number): DeviceReadingsPage {
    const rows = this.inWindow.all(deviceId, fromMs, toMs, deviceBatchesReadMax + 1) as Row[];
    const out: Reading[] = [];
    const batches: DeviceReadingsPage['batches'] = [];
    let truncated = rows.length > deviceBatchesReadMax;
    for (const row of rows.slice(0, deviceBatchesReadMax)) {
      if (out.length >= limit) {
        truncated = true;
        break;
      }
      const tx = this.chains.tx(row.chain, row.height, row.idx);
      if (tx?.kind !== 'readingBatch') continue;
      for (const { reading } of tx.payloads) {
        if (reading.deviceId === deviceId && reading.time >= fromMs && reading.time <= toMs)
          out.push(reading);
      }
      batches.push({
        chain: row.chain,
        height: row.height,
        index: row.idx,
        count: row.count,
        tMin: row.t_min,
        tMax: row.t_max,
      });
    }
    out.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return { deviceId, readings: out.slice(-limit), batches, truncated };
  }
}
