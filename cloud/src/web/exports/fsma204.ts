import { stepName } from '../consumer/journey.ts';
import { bizStepOf, type EventJson, eventEpcs, eventTimeMs, locationId } from '../event-fields.ts';
import { type Cell, toCsv } from './csv.ts';

/**
 * FDA FSMA 204 electronic sortable spreadsheet: one row per Critical Tracking Event and traceability
 * lot, with its Key Data Elements. Our EPCIS steps map to CTEs (harvesting → Harvesting, commissioning
 * and packing → Initial Packing, shipping → Shipping, receiving → Receiving, a TransformationEvent →
 * Transformation); field work, storage and sale are not CTEs and are left out.
 */

export const fsmaHeader = [
  'Traceability Lot Code',
  'Product Description',
  'Quantity',
  'Unit of Measure',
  'Critical Tracking Event',
  'Event Date',
  'Event Time (UTC)',
  'Location of CTE',
  'Traceability Lot Code Source',
  'Ship From / Immediate Previous Source',
  'Ship To',
  'Reference Document Type',
  'Reference Document Number',
] as const;

const CTE: Record<string, string> = {
  harvesting: 'Harvesting',
  commissioning: 'Initial Packing',
  packing: 'Initial Packing',
  shipping: 'Shipping',
  receiving: 'Receiving',
  creating_class_instance: 'Transformation',
};

export interface FsmaLookups {
  /** The traceability lot (lot code, product) an EPC or EPC class belongs to, or null. */
  lotOf(epc: string): { lotCode: string; product: string; source: string } | null;
  /** A readable name for a location or party EPC URI. */
  placeName(epc: string | null): string;
}

export interface LedgerRef {
  chain: string;
  height: number;
  index: number;
}

function quantityOf(event: EventJson, epcs: readonly string[]): { quantity: number; uom: string } {
  const list = (event.quantityList ?? event.outputQuantityList ?? []) as {
    quantity?: number;
    uom?: string;
  }[];
  const q = list.find((x) => typeof x.quantity === 'number');
  if (epcs.some((e) => e.startsWith('urn:epc:id:sgtin:')))
    return { quantity: epcs.filter((e) => e.startsWith('urn:epc:id:sgtin:')).length, uom: 'each' };
  return q ? { quantity: q.quantity ?? 0, uom: q.uom ?? 'each' } : { quantity: 0, uom: 'each' };
}

function party(list: unknown, field: 'source' | 'destination'): string | null {
  if (!Array.isArray(list)) return null;
  const first = list.find((x) => typeof (x as Record<string, unknown>)[field] === 'string') as
    | Record<string, string>
    | undefined;
  return first?.[field] ?? null;
}

export function fsmaRows(
  events: readonly { event: EventJson; ref: LedgerRef }[],
  lookups: FsmaLookups,
): Cell[][] {
  const rows: Cell[][] = [];
  for (const { event, ref } of events) {
    const cte = event.type === 'TransformationEvent' ? 'Transformation' : CTE[stepName(bizStepOf(event))];
    if (cte === undefined) continue;
    const byLot = new Map<string, { lot: NonNullable<ReturnType<FsmaLookups['lotOf']>>; epcs: string[] }>();
    const epcs =
      event.type === 'TransformationEvent'
        ? [
            ...((event.outputEPCList as string[]) ?? []),
            ...((event.outputQuantityList as { epcClass: string }[]) ?? []).map((q) => q.epcClass),
          ]
        : eventEpcs(event);
    for (const epc of epcs) {
      const lot = lookups.lotOf(epc);
      if (!lot) continue;
      const entry = byLot.get(lot.lotCode) ?? { lot, epcs: [] };
      entry.epcs.push(epc);
      byLot.set(lot.lotCode, entry);
    }
    const time = new Date(eventTimeMs(event)).toISOString();
    const where = locationId(event.bizLocation) ?? locationId(event.readPoint);
    for (const { lot, epcs: lotEpcs } of byLot.values()) {
      const { quantity, uom } = quantityOf(event, lotEpcs);
      rows.push([
        lot.lotCode,
        lot.product,
        quantity,
        uom,
        cte,
        time.slice(0, 10),
        time.slice(11, 19),
        lookups.placeName(where),
        lot.source,
        lookups.placeName(party(event.sourceList, 'source')),
        lookups.placeName(party(event.destinationList, 'destination')),
        'Suyuan ledger transaction',
        `${ref.chain}#${ref.height}/${ref.index}`,
      ]);
    }
  }
  return rows.sort(
    (a, b) =>
      String(a[0]).localeCompare(String(b[0])) ||
      String(a[5]).localeCompare(String(b[5])) ||
      String(a[6]).localeCompare(String(b[6])),
  );
}

export function fsmaCsv(
  events: readonly { event: EventJson; ref: LedgerRef }[],
  lookups: FsmaLookups,
): string {
  return toCsv(fsmaHeader, fsmaRows(events, lookups));
}
