import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { buildEpcisDocument } from './document.ts';
import { readReferenceJson } from './reference-files.ts';
import { sampleFarmEvents } from './sample-events.ts';
import { compileEpcisSchema, type SchemaCheck } from './schema-validate.ts';

const validate = compileEpcisSchema(readReferenceJson('standards/epcis/EPCIS-JSON-Schema.json') as object);
const built = () =>
  JSON.parse(JSON.stringify(buildEpcisDocument(sampleFarmEvents(), { clock: new ManualClock(0) }))) as {
    epcisBody: { eventList: Record<string, unknown>[] };
  } & Record<string, unknown>;

function paths(check: SchemaCheck): string[] {
  return check.ok ? [] : [...new Set(check.problems.map((p) => p.path))];
}

describe('EPCIS JSON schema validation (ajv)', () => {
  it('accepts a built document', () => {
    expect(validate(built())).toEqual({ ok: true });
  });

  it('reports what the schema rejects, with JSON pointers', () => {
    const noOffset = built();
    delete noOffset.epcisBody.eventList[0]?.eventTimeZoneOffset;
    expect(paths(validate(noOffset))).toContain('/epcisBody/eventList/0');

    const urnBizStep = built();
    (urnBizStep.epcisBody.eventList[4] as Record<string, unknown>).bizStep =
      'urn:epcglobal:cbv:bizstep:packing';
    expect(paths(validate(urnBizStep))).toContain('/epcisBody/eventList/4/bizStep');

    const badDate = { ...built(), creationDate: '2024-06-22' };
    expect(paths(validate(badDate))).toContain('/creationDate');

    const blankId = { ...built(), id: '_:document1' };
    expect(paths(validate(blankId))).toContain('/id');
  });

  it('rejects what GS1 fixed after its example was written: persistentDisposition on an AggregationEvent', () => {
    const raw = readReferenceJson('standards/epcis/examples/PersistentDisposition-example.jsonld') as Record<
      string,
      unknown
    >;
    const check = validate({ ...raw, id: 'urn:uuid:1' });
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.problems.map((p) => p.message).join(' ')).toMatch(/persistentDisposition/);
  });

  it('accepts every event shape the zod model accepts (model and schema agree)', () => {
    const time = { eventTime: '2024-06-21T05:00:00.123456+08:00', eventTimeZoneOffset: '+08:00' };
    const epcs = ['urn:epc:id:sgtin:6901234.012345.1001'];
    const place = { id: 'urn:epc:id:sgln:6901234.00010.1' };
    const events = [
      { type: 'ObjectEvent', ...time, action: 'OBSERVE', epcList: [] },
      {
        type: 'ObjectEvent',
        ...time,
        action: 'OBSERVE',
        readPoint: place,
        sensorElementList: [
          {
            sensorReport: [
              { type: 'gs1:Temperature', value: 3, uom: 'CEL', exception: 'ALARM_CONDITION', component: 'x' },
            ],
          },
        ],
      },
      {
        type: 'ObjectEvent',
        ...time,
        action: 'ADD',
        epcList: epcs,
        ilmd: { 'example:best': '2024-12-01' },
        persistentDisposition: { set: ['urn:epcglobal:cbv:disp:completeness_verified'] },
      },
      {
        type: 'ObjectEvent',
        ...time,
        action: 'DELETE',
        epcList: epcs,
        certificationInfo: 'https://cert.example/1',
        errorDeclaration: {
          declarationTime: time.eventTime,
          reason: 'did_not_occur',
          correctiveEventIDs: ['urn:uuid:2'],
          'example:note': 'typo',
        },
      },
      { type: 'AggregationEvent', ...time, action: 'DELETE', parentID: 'urn:epc:id:sscc:6901234.0000000042' },
      {
        type: 'AggregationEvent',
        ...time,
        action: 'OBSERVE',
        childQuantityList: [{ epcClass: 'urn:epc:idpat:sgtin:6901234.012345.*', quantity: 3 }],
      },
      { type: 'AssociationEvent', ...time, action: 'DELETE', parentID: 'urn:epc:id:giai:6901234.L7' },
      {
        type: 'TransactionEvent',
        ...time,
        action: 'DELETE',
        bizTransactionList: [{ bizTransaction: 'urn:x:po:1' }],
      },
      { type: 'TransformationEvent', ...time, transformationID: 'urn:uuid:3', outputEPCList: epcs },
      {
        type: 'TransformationEvent',
        ...time,
        inputQuantityList: [{ epcClass: 'urn:x:c' }],
        outputEPCList: epcs,
        bizStep: 'https://suyuan.example/voc/bizstep/harvesting',
      },
    ];
    expect(validate(buildEpcisDocument(events, { clock: new ManualClock(0) }))).toEqual({ ok: true });
  });
});
