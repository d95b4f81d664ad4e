import { massKg, type TraceEventModel } from '../event-model.ts';
import { accept, type Effect, type RuleContext, type RuleResult, reject, type StateView } from '../state.ts';
import { absent, newItem, usable } from './item-checks.ts';

/**
 * Transformation by a processor: inputs exist, are usable and held by the processor; outputs are
 * new; and mass balances. Output mass (every output quantity must be in a mass unit) may not exceed
 * the input mass declared in the event times (1 + tolerance), and an input lot cannot give more
 * than it has left.
 */
export function checkTransformation(view: StateView, ctx: RuleContext, m: TraceEventModel): RuleResult {
  const inputIds = [...m.inputs, ...m.inputQuantities.map((q) => q.id)];
  const outputIds = [...m.outputs, ...m.outputQuantities.map((q) => q.id)];
  if (inputIds.length === 0 || outputIds.length === 0) {
    return reject('trace.badEvent', 'a transformation needs inputs and outputs');
  }
  const inputs = usable(view, ctx, inputIds, { mustHold: true, notInTransit: true });
  if (!inputs.ok) return reject(inputs.code, inputs.message);
  const taken = absent(view, outputIds);
  if (taken) return reject(taken.code, taken.message);

  let inputKg = 0;
  for (const q of m.inputQuantities) inputKg += massKg(q) ?? 0;
  let outputKg = 0;
  for (const q of m.outputQuantities) {
    const kg = massKg(q);
    if (kg === null)
      return reject('trace.massUnit', `output ${q.id.key} has no mass quantity (KGM, GRM, TNE, LBR)`);
    outputKg += kg;
  }
  if (outputKg > inputKg * (1 + ctx.massBalanceTolerance)) {
    return reject(
      'trace.massBalance',
      `outputs weigh ${outputKg} kg, inputs ${inputKg} kg: more than the ${ctx.massBalanceTolerance * 100}% tolerance`,
    );
  }

  const effects: Effect[] = [];
  for (const item of inputs.items) {
    const q = m.inputQuantities.find((x) => x.id.key === item.key);
    if (q === undefined || item.quantity === null) {
      effects.push({ type: 'putItem', item: { ...item, status: 'consumed' } });
      continue;
    }
    const used = sameUnitAmount(item.uom, q);
    if (used === null)
      return reject('trace.unitMismatch', `${item.key} is counted in ${item.uom}, not ${q.uom}`);
    const left = item.quantity - used;
    if (left < -1e-9)
      return reject('trace.overdrawn', `${item.key} has only ${item.quantity} ${item.uom} left`);
    const rest = Math.max(0, left);
    effects.push({
      type: 'putItem',
      item: { ...item, quantity: rest, status: rest === 0 ? 'consumed' : item.status },
    });
  }
  for (const id of m.outputs) effects.push({ type: 'putItem', item: newItem(ctx, id) });
  for (const q of m.outputQuantities)
    effects.push({ type: 'putItem', item: newItem(ctx, q.id, q.quantity, q.uom) });
  for (const out of outputIds) {
    for (const input of inputIds)
      effects.push({ type: 'edge', kind: 'madeFrom', from: out.key, to: input.key });
  }
  return accept(effects);
}

/** The quantity expressed in the lot's own unit (mass units convert), or null when they cannot. */
function sameUnitAmount(
  lotUom: string | null,
  q: { quantity: number | null; uom: string | null },
): number | null {
  if (q.quantity === null) return 0;
  if (lotUom === q.uom || q.uom === null) return q.quantity;
  const inKg = massKg({ id: { key: '', kind: 'lgtin' }, quantity: q.quantity, uom: q.uom });
  const lotUnitKg = massKg({ id: { key: '', kind: 'lgtin' }, quantity: 1, uom: lotUom });
  return inKg === null || lotUnitKg === null ? null : inKg / lotUnitKg;
}
