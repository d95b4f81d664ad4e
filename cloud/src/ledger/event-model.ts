import { InputError } from '@suyuan/shared';
import { parseEpcisEvent } from '@suyuan/shared/epcis/index';
import { z } from 'zod';
import { type TraceableId, traceableId } from './identity.ts';

/**
 * The part of an EPCIS 2.0 event the ledger's rules read, normalised: identities as ledger keys,
 * bizStep and disposition as their bare CBV words (whatever URI form the event used), quantities in
 * kilograms where the unit is a mass. The full event is stored as submitted; this is a view of it.
 */

export interface QuantityRef {
  id: TraceableId;
  quantity: number | null;
  uom: string | null;
}

export interface TraceEventModel {
  type: string;
  action: 'ADD' | 'OBSERVE' | 'DELETE' | null;
  bizStep: string | null;
  disposition: string | null;
  eventTimeMs: number;
  objects: TraceableId[];
  quantities: QuantityRef[];
  parent: TraceableId | null;
  children: TraceableId[];
  childQuantities: QuantityRef[];
  inputs: TraceableId[];
  inputQuantities: QuantityRef[];
  outputs: TraceableId[];
  outputQuantities: QuantityRef[];
  destinationParty: string | null;
}

const epcListField = z.array(z.string().min(1).max(2048)).max(10_000).optional();
const quantityField = z
  .array(
    z.looseObject({
      epcClass: z.string().min(1).max(2048),
      quantity: z.number().finite().nonnegative().optional(),
      uom: z.string().min(1).max(8).optional(),
    }),
  )
  .max(10_000)
  .optional();

const eventShape = z.looseObject({
  type: z.enum([
    'ObjectEvent',
    'AggregationEvent',
    'TransformationEvent',
    'TransactionEvent',
    'AssociationEvent',
  ]),
  eventTime: z.string().min(1).max(64),
  action: z.enum(['ADD', 'OBSERVE', 'DELETE']).optional(),
  bizStep: z.string().min(1).max(256).optional(),
  disposition: z.string().min(1).max(256).optional(),
  epcList: epcListField,
  quantityList: quantityField,
  parentID: z.string().min(1).max(2048).optional(),
  childEPCs: epcListField,
  childQuantityList: quantityField,
  inputEPCList: epcListField,
  inputQuantityList: quantityField,
  outputEPCList: epcListField,
  outputQuantityList: quantityField,
  destinationList: z
    .array(z.looseObject({ type: z.string(), destination: z.string() }))
    .max(16)
    .optional(),
});

/** The bare CBV word of a bizStep or disposition in any of its URI forms. */
export function cbvWord(value: string | undefined): string | null {
  if (value === undefined) return null;
  const match = /(?:bizstep:|disp:|BizStep-|Disp-|\/bizstep\/|\/disposition\/)([A-Za-z_]+)$/.exec(value);
  return match ? match[1]! : value;
}

const KILOGRAMS_PER_UNIT: Readonly<Record<string, number>> = {
  KGM: 1,
  GRM: 0.001,
  TNE: 1000,
  LBR: 0.45359237,
};

/** Kilograms for a quantity in a mass unit, else null. */
export function massKg(q: QuantityRef): number | null {
  if (q.quantity === null || q.uom === null) return null;
  const factor = KILOGRAMS_PER_UNIT[q.uom];
  return factor === undefined ? null : q.quantity * factor;
}

function ids(list: readonly string[] | undefined): TraceableId[] {
  return (list ?? []).map(traceableId);
}

function quantities(list: z.infer<typeof quantityField>): QuantityRef[] {
  return (list ?? []).map((q) => ({
    id: traceableId(q.epcClass),
    quantity: q.quantity ?? null,
    uom: q.uom ?? null,
  }));
}

/**
 * Validates an event against the EPCIS 2.0 model (shared/epcis: throws InputError('epcis.invalid')
 * naming the bad fields) and normalises it; throws InputError('event.invalid') when a field the
 * rules need does not fit.
 */
export function traceEventModel(raw: unknown): TraceEventModel {
  const parsed = eventShape.safeParse(parseEpcisEvent(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new InputError('event.invalid', `event ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  const eventTimeMs = Date.parse(e.eventTime);
  if (!Number.isFinite(eventTimeMs))
    throw new InputError('event.invalid', 'event eventTime: not a date-time');
  const party = e.destinationList?.find((d) => cbvWord(d.type) === 'owning_party')?.destination ?? null;
  return {
    type: e.type,
    action: e.action ?? null,
    bizStep: cbvWord(e.bizStep),
    disposition: cbvWord(e.disposition),
    eventTimeMs,
    objects: ids(e.epcList),
    quantities: quantities(e.quantityList),
    parent: e.parentID === undefined ? null : traceableId(e.parentID),
    children: ids(e.childEPCs),
    childQuantities: quantities(e.childQuantityList),
    inputs: ids(e.inputEPCList),
    inputQuantities: quantities(e.inputQuantityList),
    outputs: ids(e.outputEPCList),
    outputQuantities: quantities(e.outputQuantityList),
    destinationParty: party,
  };
}

/** Every identity the event touches, each once, in a fixed order (the order of its item links). */
export function touchedIds(m: TraceEventModel): TraceableId[] {
  const all = [
    ...m.objects,
    ...m.quantities.map((q) => q.id),
    ...(m.parent ? [m.parent] : []),
    ...m.children,
    ...m.childQuantities.map((q) => q.id),
    ...m.inputs,
    ...m.inputQuantities.map((q) => q.id),
    ...m.outputs,
    ...m.outputQuantities.map((q) => q.id),
  ];
  const seen = new Map<string, TraceableId>();
  for (const id of all) if (!seen.has(id.key)) seen.set(id.key, id);
  return [...seen.values()];
}
