import type { ParticipantRole } from '@suyuan/shared';
import { type TraceEventModel, touchedIds } from '../event-model.ts';
import {
  accept,
  type Effect,
  hasRole,
  type RuleContext,
  type RuleResult,
  reject,
  type StateView,
} from '../state.ts';
import { checkHoldOrRecall, checkReceiving, checkSelling, checkShipping } from './custody-rules.ts';
import { absent, existing, newItem, usable } from './item-checks.ts';
import { checkPacking, checkUnpacking } from './packing-rules.ts';
import { checkTransformation } from './transform-rules.ts';

/**
 * Trace chain rules: which role may do what, and the item state machine. Dispatch is by the event's
 * CBV bizStep (any URI form). A farm commissions and harvests; logistics (and the farm or processor
 * dispatching its own goods) ship; logistics, processors and retailers receive; processors
 * transform; retailers sell; regulators hold and recall. Every other bizStep (farm work,
 * inspection, storage) is an observation by the item's holder or a regulator.
 */

const ROLE_BY_STEP: Readonly<Record<string, readonly ParticipantRole[]>> = {
  commissioning: ['farm'],
  harvesting: ['farm'],
  packing: ['farm', 'processor'],
  unpacking: ['farm', 'processor', 'logistics', 'retailer'],
  shipping: ['farm', 'processor', 'logistics'],
  receiving: ['logistics', 'processor', 'retailer'],
  transforming: ['processor'],
  retail_selling: ['retailer'],
  holding: ['regulator'],
  recalling: ['regulator'],
};

export function checkTraceEvent(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  if (m.eventTimeMs > ctx.blockTimeMs + ctx.clockSkewMs) {
    return reject('trace.future', 'eventTime is beyond the block time plus skew');
  }
  const step = stepOf(m);
  const roles = ROLE_BY_STEP[step];
  if (roles && !hasRole(ctx.participant, roles)) {
    return reject('trace.role', `${step} needs the role ${roles.join(' or ')}`);
  }
  switch (step) {
    case 'commissioning':
      return checkCommissioning(view, ctx, m);
    case 'harvesting':
      return checkHarvesting(view, ctx, m);
    case 'packing':
      return checkPacking(view, ctx, m);
    case 'unpacking':
      return checkUnpacking(view, ctx, m);
    case 'shipping':
      return checkShipping(view, ctx, m);
    case 'receiving':
      return checkReceiving(view, ctx, m);
    case 'transforming':
      return checkTransformation(view, ctx, m);
    case 'retail_selling':
      return checkSelling(view, ctx, m);
    case 'holding':
    case 'recalling':
      return checkHoldOrRecall(view, ctx, m, step === 'recalling' || m.disposition === 'recalled');
    default:
      return checkObservation(view, ctx, m);
  }
}

/** The step a rule set applies to: the bizStep word, or the event type where that decides it. */
export function stepOf(m: TraceEventModel): string {
  if (m.type === 'TransformationEvent') return 'transforming';
  if (m.type === 'AggregationEvent') return m.action === 'DELETE' ? 'unpacking' : 'packing';
  if (m.disposition === 'recalled') return 'recalling';
  return m.bizStep ?? 'observing';
}

function checkCommissioning(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  if (m.type !== 'ObjectEvent' || m.action !== 'ADD') {
    return reject('trace.badEvent', 'commissioning is an ObjectEvent with action ADD');
  }
  const ids = [...m.objects, ...m.quantities.map((q) => q.id)];
  if (ids.length === 0) return reject('trace.badEvent', 'commissioning names no item or lot');
  const taken = absent(view, ids);
  if (taken) return reject(taken.code, `double commissioning: ${taken.message}`);
  const effects: Effect[] = m.objects.map((id) => ({ type: 'putItem', item: newItem(ctx, id) }));
  for (const q of m.quantities)
    effects.push({ type: 'putItem', item: newItem(ctx, q.id, q.quantity, q.uom) });
  return accept(effects);
}

/** A harvest brings lots into being (or adds to the farm's own lot); named items must be the farm's. */
function checkHarvesting(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const effects: Effect[] = [];
  const own = usable(view, ctx, m.objects, { mustHold: true, notInTransit: true });
  if (!own.ok) return reject(own.code, own.message);
  for (const item of own.items) {
    if (item.owner !== ctx.participant.id) return reject('trace.notOwner', `${item.key} is another farm's`);
  }
  for (const q of m.quantities) {
    const lot = view.item(q.id.key);
    if (!lot) {
      effects.push({ type: 'putItem', item: newItem(ctx, q.id, q.quantity, q.uom) });
      continue;
    }
    if (lot.owner !== ctx.participant.id) return reject('trace.notOwner', `${lot.key} is another farm's lot`);
    const checked = usable(view, ctx, [q.id], { mustHold: true, notInTransit: true });
    if (!checked.ok) return reject(checked.code, checked.message);
    if (lot.uom !== null && q.uom !== null && lot.uom !== q.uom) {
      return reject('trace.unitMismatch', `${lot.key} is counted in ${lot.uom}, not ${q.uom}`);
    }
    const quantity = (lot.quantity ?? 0) + (q.quantity ?? 0);
    effects.push({ type: 'putItem', item: { ...lot, quantity, uom: lot.uom ?? q.uom } });
  }
  if (own.items.length === 0 && m.quantities.length === 0) {
    return reject('trace.badEvent', 'harvesting names no item or lot');
  }
  return accept(effects);
}

/** Any other step: every item must exist; only its holder or a regulator may record it. */
function checkObservation(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const found = existing(view, touchedIds(m));
  if (!found.ok) return reject(found.code, found.message);
  if (hasRole(ctx.participant, ['regulator'])) return accept([]);
  for (const item of found.items) {
    if (item.holder !== ctx.participant.id) {
      return reject('trace.notHolder', `${item.key} is held by another participant`);
    }
  }
  return accept([]);
}
