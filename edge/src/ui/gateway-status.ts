import type { Db } from '../gateway/database.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';

/**
 * What the status page shows, read from gateway.db: devices (from the ingest's per-device sequence
 * state), their latest reading per type (from the newest reading submissions in the outbox — the only
 * place readings are kept), the outbox backlog, dead letters and the last verified commit.
 */
export const readingSubmissionsScannedMax = 8;
/**
 * Body bytes parsed per status request: a reading submission holds up to 4,096 readings (~1 MiB),
 * so eight of them would be ~8 MiB of JSON per page view. The newest submission is always read.
 */
export const readingBodyBytesScannedMax = 256 * 1024;
export const devicesShownMax = 200;

export interface DeviceStatus {
  deviceId: string;
  lastSeenMs: number;
  accepted: number;
  quarantined: number;
  latest: { type: string; value: number; uom: string; time: number }[];
}

export interface SyncStatus {
  pendingSubmissions: number;
  pendingPayloads: number;
  pendingBytes: number;
  deadLetters: number;
  lastCommitMs: number | null;
}

interface ReadingJson {
  deviceId: string;
  type: string;
  value: number;
  uom: string;
  time: number;
}

export function deviceStatuses(db: Db): DeviceStatus[] {
  const hasDevices = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'device_seq'").get();
  if (!hasDevices) return [];
  const devices = db
    .prepare(
      `SELECT device_id AS deviceId, last_seen_ms AS lastSeenMs, accepted, quarantined FROM device_seq
       ORDER BY device_id LIMIT ?`,
    )
    .all(devicesShownMax) as Omit<DeviceStatus, 'latest'>[];
  const latest = latestReadings(db);
  return devices.map((d) => ({ ...d, latest: [...(latest.get(d.deviceId)?.values() ?? [])] }));
}

export function latestReadings(db: Db): Map<string, Map<string, ReadingJson>> {
  const rows = db
    .prepare("SELECT body FROM outbox WHERE kind = 'readings' ORDER BY seq DESC LIMIT ?")
    .iterate(readingSubmissionsScannedMax) as IterableIterator<{ body: string }>;
  const out = new Map<string, Map<string, ReadingJson>>();
  let bytesScanned = 0;
  for (const row of rows) {
    if (bytesScanned >= readingBodyBytesScannedMax) break;
    bytesScanned += row.body.length;
    const payloads = (JSON.parse(row.body) as { submission: { payloads: { reading?: ReadingJson }[] } })
      .submission.payloads;
    for (const p of payloads) {
      const r = p.reading;
      if (r === undefined) continue;
      const byType = out.get(r.deviceId) ?? new Map<string, ReadingJson>();
      const seen = byType.get(r.type);
      if (seen === undefined || seen.time < r.time) byType.set(r.type, r);
      out.set(r.deviceId, byType);
    }
  }
  return out;
}

export function syncStatus(db: Db, outbox: OutboxStore): SyncStatus {
  const stats = outbox.stats();
  const last = db.prepare("SELECT MAX(done_ms) AS t FROM outbox WHERE state = 'committed'").get() as {
    t: number | null;
  };
  return {
    pendingSubmissions: stats.pending + stats.accepted,
    pendingPayloads: stats.pendingPayloads,
    pendingBytes: stats.pendingBytes,
    deadLetters: stats.dead,
    lastCommitMs: last.t,
  };
}
