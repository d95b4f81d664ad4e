import {
  type EpcisEventInput,
  farmBizSteps,
  farmFields,
  formatDigitalLink,
  formatEpcUri,
  type JsonValue,
  parseEpcisEvent,
} from '@suyuan/shared';
import type { FieldWorkKind } from './farm-store.ts';
import type { UiConfig } from './ui-config.ts';

/**
 * EPCIS 2.0 events for what the farmer records, in the farm vocabulary. Every event is validated with
 * the shared schema before it is signed, so a bug here fails loudly instead of reaching the ledger.
 */
type Identity = Pick<UiConfig, 'gtin' | 'companyPrefixLength' | 'farmGln' | 'resolverBase'>;

const bizStepOf: Record<FieldWorkKind, string> = {
  planting: farmBizSteps.planting,
  fertilising: farmBizSteps.fertilising,
  spraying: farmBizSteps.spraying,
  irrigating: farmBizSteps.irrigating,
};

const eventTime = (ms: number) => ({ eventTime: new Date(ms).toISOString(), eventTimeZoneOffset: '+00:00' });

export function plotLocation(id: Identity, plotCode: string): string {
  return formatEpcUri({
    scheme: 'sgln',
    gln: id.farmGln,
    extension: plotCode,
    companyPrefixLength: id.companyPrefixLength,
  });
}

export function lotClass(id: Identity, lotCode: string): string {
  return formatEpcUri({
    scheme: 'lgtin',
    gtin: id.gtin,
    lot: lotCode,
    companyPrefixLength: id.companyPrefixLength,
  });
}

export function itemEpc(id: Identity, serial: number): string {
  return formatEpcUri({
    scheme: 'sgtin',
    gtin: id.gtin,
    serial: String(serial),
    companyPrefixLength: id.companyPrefixLength,
  });
}

export function itemDigitalLink(id: Identity, serial: number): string {
  return formatDigitalLink(
    { ai: '01', value: id.gtin },
    { '21': String(serial) },
    { resolverBase: id.resolverBase },
  );
}

export interface FieldWorkInput {
  kind: FieldWorkKind;
  plotCode: string;
  timeMs: number;
  product?: string | undefined;
  amount?: number | undefined;
  amountUom?: string | undefined;
  preHarvestIntervalDays?: number | undefined;
}

export function fieldWorkEvent(id: Identity, w: FieldWorkInput): EpcisEventInput {
  const where = { id: plotLocation(id, w.plotCode) };
  const event: Record<string, unknown> = {
    type: 'ObjectEvent',
    ...eventTime(w.timeMs),
    action: 'OBSERVE',
    bizStep: bizStepOf[w.kind],
    epcList: [],
    readPoint: where,
    bizLocation: where,
  };
  if (w.product !== undefined) event[farmFields.productName] = w.product;
  if (w.preHarvestIntervalDays !== undefined)
    event[farmFields.preHarvestIntervalDays] = w.preHarvestIntervalDays;
  if (w.amount !== undefined) event['suyuan:amount'] = { value: w.amount, uom: w.amountUom ?? '' };
  return checked(event);
}

export interface HarvestInput {
  plotCode: string;
  lotCode: string;
  quantityKg: number;
  timeMs: number;
  serials: readonly number[];
  /** serial → bound RFID tag EPC (hex), for the serials that got a tag. */
  tags: ReadonlyMap<number, string>;
}

/** The harvest (commissions the lot, LGTIN) and the commissioning of its items (SGTINs, tags bound). */
export function harvestEvents(id: Identity, h: HarvestInput): EpcisEventInput[] {
  const where = { id: plotLocation(id, h.plotCode) };
  const lot = lotClass(id, h.lotCode);
  const harvest = {
    type: 'ObjectEvent',
    ...eventTime(h.timeMs),
    action: 'ADD',
    bizStep: farmBizSteps.harvesting,
    disposition: 'active',
    quantityList: [{ epcClass: lot, quantity: h.quantityKg, uom: 'KGM' }],
    readPoint: where,
    bizLocation: where,
    ilmd: { 'suyuan:harvestField': where.id },
  };
  const events = [checked(harvest)];
  if (h.serials.length > 0) {
    const bindings = h.serials
      .filter((s) => h.tags.has(s))
      .map((s) => ({ epc: itemEpc(id, s), rfidTag: h.tags.get(s) ?? '' }));
    events.push(
      checked({
        type: 'ObjectEvent',
        ...eventTime(h.timeMs),
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        epcList: h.serials.map((s) => itemEpc(id, s)),
        readPoint: where,
        ilmd: { 'suyuan:lot': lot, 'suyuan:rfidBindings': bindings },
      }),
    );
  }
  return events;
}

function checked(event: Record<string, unknown>): EpcisEventInput {
  parseEpcisEvent(event);
  return event as EpcisEventInput;
}

export const eventPayloads = (events: readonly EpcisEventInput[]): JsonValue[] =>
  events.map((event) => ({ kind: 'event', event }) as unknown as JsonValue);
