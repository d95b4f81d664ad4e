import { describe, expect, it } from 'vitest';
import { isSuyuanError } from '../errors.ts';
import { errorCodeOf } from '../gs1/testing.ts';
import { type EpcisEvent, parseEpcisEvent } from './events.ts';
import { farmBizSteps, farmFields } from './farm-vocabulary.ts';
import { epcisLimits } from './fields.ts';
import { sampleFarmEvents } from './sample-events.ts';

const base = {
  type: 'ObjectEvent',
  eventTime: '2024-06-21T05:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  epcList: ['urn:epc:id:sgtin:6901234.012345.1001'],
} as const;

/** The paths named by the 'epcis.invalid' error `input` raises (or a marker when it does not fail). */
function problemPaths(input: unknown): string[] {
  try {
    parseEpcisEvent(input);
  } catch (error) {
    if (!isSuyuanError(error, 'epcis.invalid')) throw error;
    return ((error.details?.issues ?? []) as { path: string }[]).map((i) => i.path);
  }
  return ['accepted'];
}

describe('EPCIS events: accepted and normalised', () => {
  it('parses every sample farm event, one of each type', () => {
    const events = sampleFarmEvents().map((e) => parseEpcisEvent(e));
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        'ObjectEvent',
        'AggregationEvent',
        'TransactionEvent',
        'TransformationEvent',
        'AssociationEvent',
      ]),
    );
  });

  it('normalises CBV terms to bare words and keeps farm bizSteps as URIs', () => {
    const events = sampleFarmEvents().map((e) => parseEpcisEvent(e));
    expect(events.map((e) => e.bizStep)).toEqual([
      farmBizSteps.planting,
      farmBizSteps.spraying,
      farmBizSteps.harvesting,
      'commissioning',
      'packing',
      'shipping',
      undefined,
      'receiving',
      'commissioning',
      'installing',
    ]);
    const shipping = events[5] as Extract<EpcisEvent, { type: 'ObjectEvent' }>;
    expect(shipping.bizTransactionList?.[0]?.type).toBe('po');
    const harvest = events[2] as Extract<EpcisEvent, { type: 'ObjectEvent' }>;
    expect(harvest.disposition).toBe('active');
    const receiving = events[7] as Extract<EpcisEvent, { type: 'ObjectEvent' }>;
    expect(receiving.sensorElementList?.[0]?.sensorReport.map((r) => r.type)).toEqual([
      'Temperature',
      'RelativeHumidity',
    ]);
  });

  it('keeps extension fields and the farm fields', () => {
    const event = parseEpcisEvent({ ...base, 'example:myField': { nested: [1, 2] } });
    expect(event['example:myField']).toEqual({ nested: [1, 2] });
    const spraying = parseEpcisEvent(sampleFarmEvents()[1]);
    expect(spraying[farmFields.preHarvestIntervalDays]).toBe(7);
  });

  it('reads the legacy spellings in GS1 examples without losing data', () => {
    const event = parseEpcisEvent({ ...base, id: 'ni:///sha-256;abc?ver=CBV2.0' });
    expect(event.eventID).toBe('ni:///sha-256;abc?ver=CBV2.0');
    expect('id' in event).toBe(false);
    const aggregation = parseEpcisEvent({
      ...base,
      type: 'AggregationEvent',
      epcList: undefined,
      childEPCs: base.epcList,
      persistentDisposition: { set: ['urn:epcglobal:cbv:disp:completeness_inferred'] },
    });
    expect(aggregation[farmFields.persistentDisposition]).toEqual({ set: ['completeness_inferred'] });
    expect('persistentDisposition' in aggregation).toBe(false);
  });

  it('allows the shapes the standard allows', () => {
    expect(problemPaths({ ...base, epcList: [] })).toEqual(['accepted']);
    const sensorsOnly = { ...base, epcList: undefined, readPoint: { id: 'urn:epc:id:sgln:6901234.00010.1' } };
    const report = { sensorReport: [{ type: 'Temperature', value: 3 }] };
    expect(problemPaths({ ...sensorsOnly, sensorElementList: [report] })).toEqual(['accepted']);
    const aggregationDelete = { ...base, type: 'AggregationEvent', action: 'DELETE', epcList: undefined };
    expect(problemPaths({ ...aggregationDelete, parentID: 'urn:epc:id:sscc:6901234.0000000042' })).toEqual([
      'accepted',
    ]);
    const transformation = {
      type: 'TransformationEvent',
      eventTime: base.eventTime,
      eventTimeZoneOffset: '+08:00',
    };
    expect(
      problemPaths({ ...transformation, transformationID: 'urn:uuid:1', inputEPCList: base.epcList }),
    ).toEqual(['accepted']);
    expect(problemPaths({ ...base, certificationInfo: ['https://cert.example/1'] })).toEqual(['accepted']);
    const declared = { declarationTime: base.eventTime, reason: 'urn:epcglobal:cbv:er:incorrect_data' };
    expect(parseEpcisEvent({ ...base, errorDeclaration: declared }).errorDeclaration?.reason).toBe(
      'incorrect_data',
    );
  });
});

describe('EPCIS events: rejected with the path of the problem', () => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', 'ObjectEvent', ['event']],
    ['unknown event type', { ...base, type: 'SensorEvent' }, ['event.type']],
    ['time without zone', { ...base, eventTime: '2024-06-21T05:00:00' }, ['event.eventTime']],
    ['offset out of range', { ...base, eventTimeZoneOffset: '+15:00' }, ['event.eventTimeZoneOffset']],
    ['bad action', { ...base, action: 'observe' }, ['event.action']],
    ['misspelt bizStep', { ...base, bizStep: 'shiping' }, ['event.bizStep']],
    ['bare farm word', { ...base, bizStep: 'planting' }, ['event.bizStep']],
    [
      'unknown CBV disposition',
      { ...base, disposition: 'urn:epcglobal:cbv:disp:rotten' },
      ['event.disposition'],
    ],
    ['bad EPC in a list', { ...base, epcList: ['urn:epc:id:sgtin:6901234.01234.1'] }, ['event.epcList[0]']],
    ['relative URI', { ...base, epcList: ['item-1'] }, ['event.epcList[0]']],
    ['duplicate EPC', { ...base, epcList: [base.epcList[0], base.epcList[0]] }, ['event.epcList']],
    ['no EPCs at all', { ...base, epcList: undefined }, ['event']],
    ['ilmd on OBSERVE', { ...base, ilmd: { 'example:x': 1 } }, ['event.ilmd']],
    ['unnamespaced extension', { ...base, myField: 1 }, ['event.myField']],
    [
      'bad readPoint',
      { ...base, readPoint: { id: 'urn:epc:id:sgln:6901234.0001.0' } },
      ['event.readPoint.id'],
    ],
    [
      'uom without quantity',
      { ...base, quantityList: [{ epcClass: 'urn:x:1', uom: 'KGM' }] },
      ['event.quantityList[0].uom'],
    ],
    [
      'lower-case uom',
      { ...base, quantityList: [{ epcClass: 'urn:x:1', quantity: 1, uom: 'kg' }] },
      ['event.quantityList[0].uom'],
    ],
    ['source without type', { ...base, sourceList: [{ source: 'urn:x:1' }] }, ['event.sourceList[0].type']],
    [
      'sensor report without type',
      { ...base, sensorElementList: [{ sensorReport: [{ value: 1 }] }] },
      ['event.sensorElementList[0].sensorReport[0].type'],
    ],
    [
      'min above max',
      { ...base, sensorElementList: [{ sensorReport: [{ type: 'Temperature', minValue: 5, maxValue: 1 }] }] },
      ['event.sensorElementList[0].sensorReport[0].minValue'],
    ],
    [
      'empty sensorReport',
      { ...base, sensorElementList: [{ sensorReport: [] }] },
      ['event.sensorElementList[0].sensorReport'],
    ],
    [
      'declaration without time',
      { ...base, errorDeclaration: { reason: 'did_not_occur' } },
      ['event.errorDeclaration.declarationTime'],
    ],
    ['aggregation without children', { ...base, type: 'AggregationEvent', epcList: undefined }, ['event']],
    [
      'association without parent',
      { ...base, type: 'AssociationEvent', epcList: undefined, childEPCs: base.epcList },
      ['event.parentID'],
    ],
    ['transaction without transactions', { ...base, type: 'TransactionEvent' }, ['event.bizTransactionList']],
    [
      'transformation with inputs only',
      {
        ...base,
        type: 'TransformationEvent',
        action: undefined,
        epcList: undefined,
        inputEPCList: base.epcList,
      },
      ['event'],
    ],
    [
      'spraying without interval',
      { ...base, bizStep: farmBizSteps.spraying },
      [`event.${farmFields.preHarvestIntervalDays}`],
    ],
    [
      'negative interval',
      { ...base, [farmFields.preHarvestIntervalDays]: -1 },
      [`event.${farmFields.preHarvestIntervalDays}`],
    ],
    [
      'fractional interval',
      { ...base, [farmFields.preHarvestIntervalDays]: 1.5 },
      [`event.${farmFields.preHarvestIntervalDays}`],
    ],
    [
      'interval over a year',
      { ...base, [farmFields.preHarvestIntervalDays]: 366 },
      [`event.${farmFields.preHarvestIntervalDays}`],
    ],
    [
      'persistentDisposition without set/unset',
      { ...base, persistentDisposition: {} },
      ['event.persistentDisposition'],
    ],
  ];
  for (const [name, input, paths] of cases) {
    it(name, () => expect(problemPaths(input)).toEqual(paths));
  }

  it('rejects a list longer than its limit', () => {
    const many = Array.from({ length: epcisLimits.epcListItemsMax + 1 }, (_, i) => `urn:x:item:${i}`);
    expect(problemPaths({ ...base, epcList: many })).toEqual(['event.epcList']);
  });

  it('says where and what in the message, under the one code', () => {
    expect(errorCodeOf(() => parseEpcisEvent({ ...base, bizStep: 'shiping' }))).toBe('epcis.invalid');
    expect(() => parseEpcisEvent({ ...base, bizStep: 'shiping' }, 'eventList[3]')).toThrow(
      /eventList\[3\]\.bizStep: "shiping" is not a standard bizStep/,
    );
  });
});
