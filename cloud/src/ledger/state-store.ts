import type { ParticipantRole, Reading } from '@suyuan/shared';
import type Database from 'better-sqlite3';
import type { TraceableKind } from './identity.ts';
import type { Effect, ItemState, KeyRecord, Participant, StateView } from './state.ts';

/** Where an item's latest event is: the target of the next event's link for that item. */
export interface EventPointer {
  chain: string;
  height: number;
  index: number;
  leafHash: string;
}

interface ItemRow {
  key: string;
  kind: string;
  owner: string;
  holder: string;
  status: string;
  parent: string | null;
  quantity: number | null;
  uom: string | null;
  transit: string | null;
}

/** The SQLite adapter for the contract state: implements StateView and applies rule effects. */
export class StateStore implements StateView {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      participant: db.prepare('SELECT id, name, roles, gln FROM participants WHERE id = ?'),
      putParticipant: db.prepare(
        'INSERT OR REPLACE INTO participants (id, name, roles, gln) VALUES (?, ?, ?, ?)',
      ),
      key: db.prepare('SELECT key_id, participant_id, public_key, revoked_reason FROM keys WHERE key_id = ?'),
      putKey: db.prepare(
        'INSERT OR REPLACE INTO keys (key_id, participant_id, public_key, revoked_reason) VALUES (?, ?, ?, ?)',
      ),
      device: db.prepare('SELECT gateway, last_seq FROM devices WHERE device_id = ?'),
      bindDevice: db.prepare(
        'INSERT INTO devices (device_id, gateway) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET gateway = excluded.gateway',
      ),
      deviceSeq: db.prepare(
        'INSERT INTO devices (device_id, last_seq) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq',
      ),
      item: db.prepare(
        'SELECT key, kind, owner, holder, status, parent, quantity, uom, transit FROM items WHERE key = ?',
      ),
      putItem: db.prepare(
        `INSERT INTO items (key, kind, owner, holder, status, parent, quantity, uom, transit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, holder = excluded.holder, status = excluded.status,
           parent = excluded.parent, quantity = excluded.quantity, uom = excluded.uom, transit = excluded.transit`,
      ),
      contents: db.prepare('SELECT key FROM items WHERE parent = ? ORDER BY key'),
      edge: db.prepare('INSERT OR IGNORE INTO edges (kind, src, dst) VALUES (?, ?, ?)'),
      madeFromThis: db.prepare("SELECT src FROM edges WHERE kind = 'madeFrom' AND dst = ? ORDER BY src"),
      last: db.prepare('SELECT last FROM items WHERE key = ?'),
      setLast: db.prepare('UPDATE items SET last = ? WHERE key = ?'),
      maxN: db.prepare('SELECT MAX(n) AS n FROM item_events WHERE item = ?'),
      itemEvent: db.prepare('INSERT INTO item_events (item, n, chain, height, idx) VALUES (?, ?, ?, ?, ?)'),
      deviceReadings: db.prepare(
        'INSERT INTO device_readings (device_id, t_max, t_min, count, chain, height, idx) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      gap: db.prepare(
        'INSERT INTO gaps (device_id, after, next, chain, height, idx) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  participant(id: string): Participant | undefined {
    const row = this.stmt.participant.get(id) as
      | { id: string; name: string; roles: string; gln: string | null }
      | undefined;
    if (!row) return undefined;
    return { id: row.id, name: row.name, roles: JSON.parse(row.roles) as ParticipantRole[], gln: row.gln };
  }

  key(keyId: string): KeyRecord | undefined {
    const row = this.stmt.key.get(keyId) as
      | { key_id: string; participant_id: string; public_key: string; revoked_reason: string | null }
      | undefined;
    if (!row) return undefined;
    return {
      keyId: row.key_id,
      participantId: row.participant_id,
      publicKey: row.public_key,
      revokedReason: row.revoked_reason,
    };
  }

  deviceGateway(deviceId: string): string | undefined {
    const row = this.stmt.device.get(deviceId) as { gateway: string | null } | undefined;
    return row?.gateway ?? undefined;
  }

  deviceLastSeq(deviceId: string): number | undefined {
    const row = this.stmt.device.get(deviceId) as { last_seq: number | null } | undefined;
    return row?.last_seq ?? undefined;
  }

  item(key: string): ItemState | undefined {
    const row = this.stmt.item.get(key) as ItemRow | undefined;
    if (!row) return undefined;
    return {
      key: row.key,
      kind: row.kind as TraceableKind,
      owner: row.owner,
      holder: row.holder,
      status: row.status as ItemState['status'],
      parent: row.parent,
      quantity: row.quantity,
      uom: row.uom,
      transit: row.transit === null ? null : (JSON.parse(row.transit) as ItemState['transit']),
    };
  }

  contents(key: string): string[] {
    return (this.stmt.contents.all(key) as { key: string }[]).map((r) => r.key);
  }

  /** Containers it is in and outputs made from it, transitively, breadth first; stops past `max`. */
  forwardClosure(keys: readonly string[], max: number): string[] {
    const seen = new Set<string>(keys);
    const queue = [...keys];
    for (let i = 0; i < queue.length && seen.size <= max; i++) {
      const key = queue[i]!;
      const next = (this.stmt.madeFromThis.all(key) as { src: string }[]).map((r) => r.src);
      const parent = this.item(key)?.parent;
      if (parent) next.push(parent);
      for (const k of next) {
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(k);
        }
      }
    }
    return [...seen];
  }

  apply(effect: Effect): void {
    switch (effect.type) {
      case 'putParticipant': {
        const p = effect.participant;
        this.stmt.putParticipant.run(p.id, p.name, JSON.stringify(p.roles), p.gln);
        return;
      }
      case 'putKey': {
        const k = effect.key;
        this.stmt.putKey.run(k.keyId, k.participantId, k.publicKey, k.revokedReason);
        return;
      }
      case 'bindDevice':
        this.stmt.bindDevice.run(effect.deviceId, effect.gateway);
        return;
      case 'deviceSeq':
        this.stmt.deviceSeq.run(effect.deviceId, effect.seq);
        return;
      case 'putItem': {
        const i = effect.item;
        const transit = i.transit === null ? null : JSON.stringify(i.transit);
        this.stmt.putItem.run(
          i.key,
          i.kind,
          i.owner,
          i.holder,
          i.status,
          i.parent,
          i.quantity,
          i.uom,
          transit,
        );
        return;
      }
      case 'edge':
        this.stmt.edge.run(effect.kind, effect.from, effect.to);
        return;
    }
  }

  lastEvent(key: string): EventPointer | null {
    const row = this.stmt.last.get(key) as { last: string | null } | undefined;
    return row?.last ? (JSON.parse(row.last) as EventPointer) : null;
  }

  /** Index the event for the item and make it the item's latest (the next event links to it). */
  recordItemEvent(key: string, at: EventPointer): void {
    const row = this.stmt.maxN.get(key) as { n: number | null };
    this.stmt.itemEvent.run(key, (row.n ?? 0) + 1, at.chain, at.height, at.index);
    this.stmt.setLast.run(JSON.stringify(at), key);
  }

  /** Index one reading batch under each of its devices: one row per (device, batch), not per reading. */
  recordDeviceReadings(readings: readonly Reading[], at: Omit<EventPointer, 'leafHash'>): void {
    const ranges = new Map<string, { tMin: number; tMax: number; count: number }>();
    for (const r of readings) {
      const range = ranges.get(r.deviceId);
      if (!range) ranges.set(r.deviceId, { tMin: r.time, tMax: r.time, count: 1 });
      else {
        range.tMin = Math.min(range.tMin, r.time);
        range.tMax = Math.max(range.tMax, r.time);
        range.count++;
      }
    }
    for (const [deviceId, { tMin, tMax, count }] of ranges) {
      this.stmt.deviceReadings.run(deviceId, tMax, tMin, count, at.chain, at.height, at.index);
    }
  }

  recordGap(
    gap: { deviceId: string; after: number; next: number },
    at: Omit<EventPointer, 'leafHash'>,
  ): void {
    this.stmt.gap.run(gap.deviceId, gap.after, gap.next, at.chain, at.height, at.index);
  }
}
