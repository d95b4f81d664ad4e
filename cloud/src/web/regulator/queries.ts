import { downstream, keyKind } from '../analysis/trace-graph.ts';
import { bizStepOf, type EventJson, eventTimeMs } from '../event-fields.ts';
import { lotKey } from '../identity.ts';
import type { ItemInfo, LotInfo, ReadModel } from '../read-model.ts';

/** Read-model queries the dashboard shares: events of a set of keys, a recall's reach, key lookups. */

export interface KeyedEvent {
  event: EventJson;
  ref: { chain: string; height: number; index: number };
  recordTime: number;
}

export const queryEventsMax = 10_000;

/** The events of every key, each once, in time order, at most `queryEventsMax`. */
export async function eventsOfKeys(model: ReadModel, keys: readonly string[]): Promise<KeyedEvent[]> {
  const seen = new Set<string>();
  const out: KeyedEvent[] = [];
  for (const key of keys) {
    for (const { tx, proof } of await model.eventsFor(key)) {
      const at = `${proof.location.chain}/${proof.location.height}/${proof.location.index}`;
      const payload = tx.payload as { kind?: string; event?: EventJson };
      if (seen.has(at) || payload.kind !== 'event' || !payload.event) continue;
      seen.add(at);
      out.push({ event: payload.event, ref: proof.location, recordTime: proof.block.header.time });
      if (out.length >= queryEventsMax) break;
    }
  }
  return out.sort((a, b) => eventTimeMs(a.event) - eventTimeMs(b.event));
}

/** Split a key `…/01/<gtin>/21/<serial>` or `…/10/<lot>` into its parts. */
export function keyParts(key: string): { gtin: string; serial?: string; lot?: string } | null {
  const m = /\/01\/(\d{14})\/(21|10)\/([^/?#]+)$/.exec(key);
  if (!m) return null;
  const value = decodeURIComponent(m[3] ?? '');
  return m[2] === '21' ? { gtin: m[1]!, serial: value } : { gtin: m[1]!, lot: value };
}

export async function itemOfKey(model: ReadModel, key: string): Promise<ItemInfo | null> {
  const p = keyParts(key);
  return p?.serial === undefined ? null : model.item(p.gtin, p.serial);
}

export async function lotOfKey(model: ReadModel, key: string): Promise<LotInfo | null> {
  const p = keyParts(key);
  return p?.lot === undefined ? null : model.lot(p.gtin, p.lot);
}

export interface Affected {
  lot: LotInfo;
  lots: LotInfo[];
  items: ItemInfo[];
  /** Holder participant id (or 'unknown') → item count. */
  holders: Map<string, number>;
  truncated: boolean;
}

export const recallKeysMax = 50_000;

/** Everything downstream of a lot: its items, pallets, lots made from it and their items, by holder. */
export async function affectedBy(model: ReadModel, lot: LotInfo): Promise<Affected> {
  const reach = await downstream(lot.key, (k) => model.children(k), recallKeysMax);
  const lots = [lot];
  const items: ItemInfo[] = [];
  const holders = new Map<string, number>();
  for (const key of reach.keys) {
    const kind = keyKind(key);
    if (kind === 'lot') {
      const l = await lotOfKey(model, key);
      if (l) lots.push(l);
    } else if (kind === 'item') {
      const item = await itemOfKey(model, key);
      if (!item) continue;
      items.push(item);
      const holder = item.holderId ?? 'unknown';
      holders.set(holder, (holders.get(holder) ?? 0) + 1);
    }
  }
  return { lot, lots, items, holders, truncated: reach.truncated };
}

/** The lot key an item or lot key belongs to. */
export async function lotKeyOf(model: ReadModel, key: string): Promise<string | null> {
  if (keyKind(key) === 'lot') return key;
  const item = await itemOfKey(model, key);
  return item ? lotKey(item.gtin, item.lot) : null;
}

/** Spraying records on a lot's history, for the pre-harvest-interval check. */
export function spraysOf(events: readonly KeyedEvent[]) {
  return events
    .filter(
      (e) =>
        bizStepOf(e.event).endsWith('/spraying') &&
        typeof e.event['suyuan:preHarvestIntervalDays'] === 'number',
    )
    .map((e) => ({
      time: eventTimeMs(e.event),
      preHarvestIntervalDays: e.event['suyuan:preHarvestIntervalDays'] as number,
      productName:
        typeof e.event['suyuan:productName'] === 'string' ? (e.event['suyuan:productName'] as string) : null,
    }));
}
