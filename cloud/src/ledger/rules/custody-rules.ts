import type { TraceEventModel } from '../event-model.ts';
import {
  accept,
  type Effect,
  type ItemState,
  type RuleContext,
  type RuleResult,
  reject,
  type StateView,
} from '../state.ts';
import { existing, usable } from './item-checks.ts';

/**
 * Custody: shipping opens a shipment, receiving closes it (a receipt must match a shipment, and
 * the receiver must be the party the shipment named), selling ends an item's life, and a
 * regulator's hold or recall stops shipping and selling of the item and of everything packed from
 * or made from it.
 */

function targets(m: TraceEventModel) {
  return [...m.objects, ...m.quantities.map((q) => q.id)];
}

export function checkShipping(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const ids = targets(m);
  if (ids.length === 0) return reject('trace.badEvent', 'shipping names nothing');
  const isCarrier = ctx.participant.roles.includes('logistics');
  const checked = usable(view, ctx, ids, { mustHold: !isCarrier, notInTransit: true });
  if (!checked.ok) return reject(checked.code, checked.message);
  const effects: Effect[] = [];
  for (const item of checked.items) {
    if (item.parent !== null) {
      return reject('trace.packed', `${item.key} is packed in ${item.parent}: ship the container`);
    }
    const transit = { shipper: ctx.participant.id, to: m.destinationParty };
    effects.push({ type: 'putItem', item: { ...item, transit } });
  }
  return accept(effects);
}

export function checkReceiving(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const ids = targets(m);
  if (ids.length === 0) return reject('trace.badEvent', 'receiving names nothing');
  const found = existing(view, ids);
  if (!found.ok) return reject(found.code, found.message);
  const effects: Effect[] = [];
  for (const item of found.items) {
    if (item.transit === null) return reject('trace.noShipment', `${item.key} was not shipped`);
    if (item.transit.to !== null && item.transit.to !== ctx.participant.id) {
      return reject('trace.wrongReceiver', `${item.key} was shipped to ${item.transit.to}`);
    }
    effects.push({ type: 'putItem', item: { ...item, transit: null, holder: ctx.participant.id } });
    for (const inner of allContents(view, item.key)) {
      effects.push({ type: 'putItem', item: { ...inner, holder: ctx.participant.id } });
    }
  }
  return accept(effects);
}

export function checkSelling(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const effects: Effect[] = [];
  const items = usable(view, ctx, m.objects, { mustHold: true, notInTransit: true });
  if (!items.ok) return reject(items.code, items.message);
  for (const item of items.items) effects.push({ type: 'putItem', item: { ...item, status: 'sold' } });
  for (const q of m.quantities) {
    const lots = usable(view, ctx, [q.id], { mustHold: true, notInTransit: true });
    if (!lots.ok) return reject(lots.code, lots.message);
    const lot = lots.items[0]!;
    const left = (lot.quantity ?? 0) - (q.quantity ?? lot.quantity ?? 0);
    if (left < 0)
      return reject('trace.overdrawn', `${lot.key} has only ${lot.quantity} ${lot.uom ?? ''} left`);
    effects.push({
      type: 'putItem',
      item: { ...lot, quantity: left, status: left === 0 ? 'sold' : lot.status },
    });
  }
  if (effects.length === 0) return reject('trace.badEvent', 'selling names nothing');
  return accept(effects);
}

export function checkHoldOrRecall(
  view: StateView,
  ctx: RuleContext,
  m: TraceEventModel,
  recall: boolean,
): RuleResult {
  const ids = targets(m);
  if (ids.length === 0) return reject('trace.badEvent', `${recall ? 'recall' : 'hold'} names nothing`);
  const found = existing(view, ids);
  if (!found.ok) return reject(found.code, found.message);
  const roots = found.items.map((i) => i.key);
  const closure = view.forwardClosure(roots, ctx.recallClosureMax + 1);
  if (closure.length > ctx.recallClosureMax) {
    return reject('trace.closureTooLarge', `more than ${ctx.recallClosureMax} items are affected`);
  }
  const effects: Effect[] = [];
  for (const key of closure) {
    const item = view.item(key)!;
    const status = recall ? 'recalled' : item.status === 'active' ? 'held' : item.status;
    if (status !== item.status) effects.push({ type: 'putItem', item: { ...item, status } });
  }
  return accept(effects);
}

function allContents(view: StateView, key: string): ItemState[] {
  const out: ItemState[] = [];
  const queue = view.contents(key);
  for (let i = 0; i < queue.length && i < 100_000; i++) {
    const item = view.item(queue[i]!);
    if (!item) continue;
    out.push(item);
    queue.push(...view.contents(item.key));
  }
  return out;
}
