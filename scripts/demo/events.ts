import { farmBizSteps } from '../../shared/src/epcis/farm-vocabulary.ts';
import { type Payload, withCheckDigit } from '../../shared/src/index.ts';

/**
 * The farm-to-fork events of one demo lot, as EPCIS 2.0 JSON the ledger validates. Identities are
 * canonical GS1 Digital Links (the ledger's item keys). `suyuan:sensorDeviceId` names the logger that
 * travels with the goods, which the consumer page charts as the cold chain.
 */
export const demoGtin = withCheckDigit('0690123400001');
export const demoCompanyPrefix = '0690123';
export const sensorDeviceField = 'suyuan:sensorDeviceId';

export const itemLink = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
export const lotLink = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
export const ssccLink = (n: number) =>
  `https://id.gs1.org/00/${withCheckDigit(`0${demoCompanyPrefix}${String(n % 1e9).padStart(9, '0')}`)}`;

const iso = (ms: number) => new Date(ms).toISOString();
const ev = (event: Record<string, unknown>): Payload =>
  ({ kind: 'event', event: { eventTimeZoneOffset: '+08:00', ...event } }) as unknown as Payload;

export const demoEvents = {
  harvest: (at: number, lot: string, kg: number) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'ADD',
      bizStep: farmBizSteps.harvesting,
      quantityList: [{ epcClass: lot, quantity: kg, uom: 'KGM' }],
    }),
  /** Recorded after the harvest (a lot exists only from its harvest), dated when the crop was planted. */
  planting: (at: number, lot: string) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: farmBizSteps.planting,
      quantityList: [{ epcClass: lot }],
    }),
  commission: (at: number, items: string[], lotCode: string) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      epcList: items,
      ilmd: { 'cbvmda:lotNumber': lotCode },
    }),
  pack: (at: number, pallet: string, items: string[], loggerId: string) =>
    ev({
      type: 'AggregationEvent',
      eventTime: iso(at),
      action: 'ADD',
      bizStep: 'packing',
      parentID: pallet,
      childEPCs: items,
      [sensorDeviceField]: loggerId,
    }),
  ship: (at: number, epcs: string[], to: string) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      epcList: epcs,
      destinationList: [{ type: 'owning_party', destination: to }],
    }),
  receive: (at: number, epcs: string[]) =>
    ev({ type: 'ObjectEvent', eventTime: iso(at), action: 'OBSERVE', bizStep: 'receiving', epcList: epcs }),
  unpack: (at: number, pallet: string, items: string[]) =>
    ev({
      type: 'AggregationEvent',
      eventTime: iso(at),
      action: 'DELETE',
      bizStep: 'unpacking',
      parentID: pallet,
      childEPCs: items,
    }),
  sell: (at: number, epcs: string[]) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      epcList: epcs,
    }),
};
