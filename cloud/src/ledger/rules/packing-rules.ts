import type { TraceEventModel } from '../event-model.ts';
import { accept, type Effect, type RuleContext, type RuleResult, reject, type StateView } from '../state.ts';
import { newItem, usable } from './item-checks.ts';

/**
 * Aggregation: packing puts children that exist, are usable, held by the packer and not packed
 * elsewhere into a parent (a case or pallet, created on first packing); unpacking takes them out.
 */
export function checkPacking(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  if (m.parent === null) return reject('trace.badEvent', 'packing needs a parentID');
  const childIds = [...m.children, ...m.childQuantities.map((q) => q.id)];
  if (childIds.length === 0) return reject('trace.badEvent', 'packing names no child');
  const parentKey = m.parent.key;
  const effects: Effect[] = [];
  const parent = view.item(parentKey);
  if (parent) {
    const checked = usable(view, ctx, [m.parent], { mustHold: true, notInTransit: true });
    if (!checked.ok) return reject(checked.code, checked.message);
  } else {
    effects.push({ type: 'putItem', item: newItem(ctx, m.parent) });
  }
  const children = usable(view, ctx, childIds, { mustHold: true, notInTransit: true });
  if (!children.ok) {
    const code = children.code === 'trace.unknownItem' ? 'trace.missingChild' : children.code;
    return reject(code, children.message);
  }
  for (const child of children.items) {
    if (child.key === parentKey) return reject('trace.badEvent', `${child.key} cannot contain itself`);
    if (child.parent !== null && child.parent !== parentKey) {
      return reject('trace.packedElsewhere', `${child.key} is already packed in ${child.parent}`);
    }
    if (isInside(view, parentKey, child.key)) {
      return reject('trace.badEvent', `${parentKey} is inside ${child.key}: packing would make a cycle`);
    }
    effects.push({ type: 'putItem', item: { ...child, parent: parentKey } });
    effects.push({ type: 'edge', kind: 'contains', from: parentKey, to: child.key });
  }
  return accept(effects);
}

export function checkUnpacking(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  if (m.parent === null) return reject('trace.badEvent', 'unpacking needs a parentID');
  const parent = usable(view, ctx, [m.parent], { mustHold: true, notInTransit: true });
  if (!parent.ok) return reject(parent.code, parent.message);
  const named = [...m.children, ...m.childQuantities.map((q) => q.id)].map((id) => id.key);
  const keys = named.length > 0 ? named : view.contents(m.parent.key);
  const effects: Effect[] = [];
  for (const key of keys) {
    const child = view.item(key);
    if (!child || child.parent !== m.parent.key) {
      return reject('trace.notPacked', `${key} is not packed in ${m.parent.key}`);
    }
    effects.push({ type: 'putItem', item: { ...child, parent: null } });
  }
  return accept(effects);
}

/** Is `key` (transitively) inside `container`? Bounded by the nesting depth a real pack can have. */
function isInside(view: StateView, key: string, container: string): boolean {
  let at = view.item(key)?.parent ?? null;
  for (let depth = 0; at !== null && depth < 16; depth++) {
    if (at === container) return true;
    at = view.item(at)?.parent ?? null;
  }
  return false;
}
