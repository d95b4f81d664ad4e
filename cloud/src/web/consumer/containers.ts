import { canonicalDigitalLink, epcUriScheme, identifierToDigitalLink, parseEpcUri } from '@suyuan/shared';
import { type EventJson, eventTimeMs } from '../event-fields.ts';
import type { LedgerEvent, ReadModel } from '../read-model.ts';

/**
 * The logistic units (pallets, crates) an item travelled in, and when. Shipping and receiving are
 * usually recorded on the pallet, not on each item it carries, so an item's own history misses them;
 * its aggregation events say which pallet it was on from when (ADD) until when (DELETE), and the
 * pallet's events inside that span belong to the item's journey. One level only: a pallet inside a
 * container is not followed further.
 */

export interface ContainerSpan {
  /** Ledger key of the container (canonical GS1 Digital Link, like every identity key). */
  key: string;
  fromMs: number;
  /** Infinity while the item is still inside. */
  toMs: number;
}

/** Bound on containers followed per item: a page must not fan out over a long logistics history. */
export const containersPerItemMax = 16;

/** The ledger key of an EPC URI or Digital Link, or null when it names nothing we key. */
export function identityKey(text: string): string | null {
  try {
    if (epcUriScheme(text) !== undefined) return identifierToDigitalLink(parseEpcUri(text));
    if (/^https?:\/\//i.test(text)) return canonicalDigitalLink(text);
  } catch {
    // A malformed identifier in a stored event names nothing we can follow.
  }
  return null;
}

function payloadEvent(e: LedgerEvent): EventJson | null {
  const payload = e.tx.payload as { kind?: string; event?: EventJson };
  return payload.kind === 'event' && payload.event ? payload.event : null;
}

/**
 * The identity keys of an aggregation's children, parsed once per event object: a packing event
 * lists all 50 items of a lot, and each of their pages asks whether it holds that item (parsing 50
 * EPC URIs per page was ~6 % of a page miss). Keyed weakly: it lives as long as the read model's
 * (memoised) event objects do.
 */
const childKeysByEvent = new WeakMap<EventJson, ReadonlySet<string>>();

function childKeys(event: EventJson): ReadonlySet<string> {
  let keys = childKeysByEvent.get(event);
  if (!keys) {
    const children = Array.isArray(event.childEPCs) ? event.childEPCs : [];
    keys = new Set(children.flatMap((c) => (typeof c === 'string' ? (identityKey(c) ?? []) : [])));
    childKeysByEvent.set(event, keys);
  }
  return keys;
}

function holdsItem(event: EventJson, itemKey: string): boolean {
  return childKeys(event).has(itemKey);
}

/** The spans an item spent in containers, from its own history (oldest first). */
export function containerSpans(itemKey: string, itemHistory: readonly LedgerEvent[]): ContainerSpan[] {
  const spans: ContainerSpan[] = [];
  const open = new Map<string, ContainerSpan>();
  for (const e of itemHistory) {
    const event = payloadEvent(e);
    if (event?.type !== 'AggregationEvent' || typeof event.parentID !== 'string') continue;
    const key = identityKey(event.parentID);
    const at = eventTimeMs(event);
    if (key === null || !Number.isFinite(at) || !holdsItem(event, itemKey)) continue;
    if (event.action === 'ADD' && !open.has(key) && spans.length < containersPerItemMax) {
      const span = { key, fromMs: at, toMs: Number.POSITIVE_INFINITY };
      open.set(key, span);
      spans.push(span);
    } else if (event.action === 'DELETE') {
      const span = open.get(key);
      if (span) span.toMs = at;
      open.delete(key);
    }
  }
  return spans;
}

/** A container's events that happened while the item was inside it. */
export function eventsWhileInside(span: ContainerSpan, history: readonly LedgerEvent[]): LedgerEvent[] {
  return history.filter((e) => {
    const event = payloadEvent(e);
    if (!event) return false;
    const at = eventTimeMs(event);
    return at >= span.fromMs && at <= span.toMs;
  });
}

/** The item's containers with their whole histories (what a verifier needs to check hash links). */
export async function containerHistories(
  model: ReadModel,
  itemKey: string,
  itemHistory: readonly LedgerEvent[],
): Promise<{ span: ContainerSpan; history: LedgerEvent[] }[]> {
  const out = [];
  for (const span of containerSpans(itemKey, itemHistory)) {
    out.push({ span, history: await model.eventsFor(span.key) });
  }
  return out;
}
