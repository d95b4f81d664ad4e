import type { EpcisEventInput } from './events.ts';
import { farmBizSteps, farmFields } from './farm-vocabulary.ts';

/**
 * One small farm-to-fork story as EPCIS events, every type represented, for tests and docs:
 * plant → spray → harvest (commission a lot) → pack and tag items → aggregate onto a pallet → ship
 * with a purchase order → receive with a cold-chain sensor report → transform into juice → bind a logger.
 * Not exported from the package index: import it by path.
 */

const field = 'urn:epc:id:sgln:6901234.00010.1'; // field 1 of the farm
const packhouse = 'urn:epc:id:sgln:6901234.00020.0';
const farm = 'urn:epc:id:pgln:6901234.00001';
const retailer = 'urn:epc:id:pgln:6954321.00001';
const lot = 'urn:epc:class:lgtin:6901234.012345.H2024-06-01';
const items = ['urn:epc:id:sgtin:6901234.012345.1001', 'https://id.gs1.org/01/06901234123456/21/1002'];
const pallet = 'urn:epc:id:sscc:6901234.0000000042';
const at = (day: number, hour: number) =>
  `2024-06-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;

export function sampleFarmEvents(): EpcisEventInput[] {
  return [
    {
      type: 'ObjectEvent',
      eventTime: at(1, 8),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: farmBizSteps.planting,
      quantityList: [{ epcClass: lot, quantity: 1.5, uom: 'HAR' }],
      readPoint: { id: field },
    },
    {
      type: 'ObjectEvent',
      eventTime: at(10, 7),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: farmBizSteps.spraying,
      quantityList: [{ epcClass: lot }],
      readPoint: { id: field },
      [farmFields.preHarvestIntervalDays]: 7,
      [farmFields.productName]: 'Bt biological insecticide',
    },
    {
      type: 'ObjectEvent',
      eventTime: at(20, 6),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: farmBizSteps.harvesting,
      disposition: 'urn:epcglobal:cbv:disp:active',
      quantityList: [{ epcClass: lot, quantity: 1200, uom: 'KGM' }],
      readPoint: { id: field },
      ilmd: { 'suyuan:harvestField': field },
    },
    {
      type: 'ObjectEvent',
      eventTime: at(20, 14),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'https://ref.gs1.org/cbv/BizStep-commissioning',
      disposition: 'active',
      epcList: items,
      readPoint: { id: packhouse },
    },
    {
      type: 'AggregationEvent',
      eventTime: at(20, 16),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'packing',
      parentID: pallet,
      childEPCs: items,
      readPoint: { id: packhouse },
    },
    {
      type: 'ObjectEvent',
      eventTime: at(21, 5),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
      disposition: 'in_transit',
      epcList: [pallet],
      readPoint: { id: packhouse },
      bizTransactionList: [
        { type: 'urn:epcglobal:cbv:btt:po', bizTransaction: 'urn:epcglobal:cbv:bt:6954321000018:PO-77' },
      ],
      sourceList: [{ type: 'owning_party', source: farm }],
      destinationList: [{ type: 'owning_party', destination: retailer }],
    },
    {
      type: 'TransactionEvent',
      eventTime: at(21, 5),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:6954321000018:PO-77' }],
      epcList: [pallet],
    },
    {
      type: 'ObjectEvent',
      eventTime: at(21, 18),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      epcList: [pallet],
      readPoint: { id: 'urn:epc:id:sgln:6954321.00005.0' },
      sensorElementList: [
        {
          sensorMetadata: {
            startTime: at(21, 5),
            endTime: at(21, 18),
            deviceID: 'urn:epc:id:giai:6901234.L7',
          },
          sensorReport: [
            { type: 'Temperature', minValue: 2.5, maxValue: 6.1, meanValue: 4.2, uom: 'CEL' },
            { type: 'gs1:RelativeHumidity', value: 91, uom: 'P1' },
          ],
        },
      ],
    },
    {
      type: 'TransformationEvent',
      eventTime: at(22, 9),
      eventTimeZoneOffset: '+08:00',
      bizStep: 'https://ref.gs1.org/cbv/BizStep-commissioning',
      inputEPCList: [items[0] ?? ''],
      outputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:6954321.054321.J1', quantity: 40, uom: 'LTR' }],
      readPoint: { id: 'urn:epc:id:sgln:6954321.00005.0' },
    },
    {
      type: 'AssociationEvent',
      eventTime: at(21, 4),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'installing',
      parentID: pallet,
      childEPCs: ['urn:epc:id:giai:6901234.L7'],
    },
  ];
}
