import type { TraceableId } from '../identity.ts';
import type { ItemState, Rejection, RuleContext, StateView } from '../state.ts';

/** Shared checks on the items an event touches: they exist, are usable and are the submitter's. */

export type ItemCheck = { ok: true; items: ItemState[] } | ({ ok: false } & Rejection);

const STATUS_REJECTIONS: Readonly<Record<string, Rejection>> = {
  held: { code: 'trace.held', message: 'is on hold' },
  recalled: { code: 'trace.recalled', message: 'is recalled' },
  sold: { code: 'trace.sold', message: 'is already sold' },
  consumed: { code: 'trace.consumed', message: 'was consumed by a transformation' },
};

export function existing(view: StateView, ids: readonly TraceableId[]): ItemCheck {
  const items: ItemState[] = [];
  for (const id of ids) {
    const item = view.item(id.key);
    if (!item) return { ok: false, code: 'trace.unknownItem', message: `${id.key} was never commissioned` };
    items.push(item);
  }
  return { ok: true, items };
}

/** Exists, active (not held, recalled, sold or consumed), optionally not in transit and held by the submitter. */
export function usable(
  view: StateView,
  ctx: RuleContext,
  ids: readonly TraceableId[],
  options: { mustHold: boolean; notInTransit: boolean },
): ItemCheck {
  const found = existing(view, ids);
  if (!found.ok) return found;
  for (const item of found.items) {
    const bad = STATUS_REJECTIONS[item.status];
    if (bad) return { ok: false, code: bad.code, message: `${item.key} ${bad.message}` };
    if (options.notInTransit && item.transit !== null) {
      return { ok: false, code: 'trace.inTransit', message: `${item.key} is in transit` };
    }
    if (options.mustHold && item.holder !== ctx.participant.id) {
      return { ok: false, code: 'trace.notHolder', message: `${item.key} is held by another participant` };
    }
  }
  return { ok: true, items: found.items };
}

export function absent(view: StateView, ids: readonly TraceableId[]): Rejection | null {
  for (const id of ids) {
    if (view.item(id.key)) return { code: 'trace.alreadyCommissioned', message: `${id.key} already exists` };
  }
  return null;
}

export function newItem(
  ctx: RuleContext,
  id: TraceableId,
  quantity: number | null = null,
  uom: string | null = null,
): ItemState {
  const who = ctx.participant.id;
  return {
    key: id.key,
    kind: id.kind,
    owner: who,
    holder: who,
    status: 'active',
    parent: null,
    quantity,
    uom,
    transit: null,
  };
}
