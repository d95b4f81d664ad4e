import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { errorCodeOf } from '../gs1/testing.ts';
import { buildEpcisDocument, epcisContextUrl, parseEpcisDocument } from './document.ts';
import { farmFields } from './farm-vocabulary.ts';
import { epcisLimits } from './fields.ts';
import { readReferenceJson, referencePath } from './reference-files.ts';
import { sampleFarmEvents } from './sample-events.ts';
import { compileEpcisSchema } from './schema-validate.ts';

const validate = compileEpcisSchema(readReferenceJson('standards/epcis/EPCIS-JSON-Schema.json') as object);
const clock = new ManualClock(Date.UTC(2024, 5, 22, 1, 2, 3, 456));
const examples = readdirSync(referencePath('standards/epcis/examples')).filter((f) => f.endsWith('.jsonld'));

type Json = Record<string, unknown>;

/** What parsing should make of a GS1 example event: only the documented legacy spellings change. */
function expectedAfterParse(event: Json): Json {
  const out: Json = { ...event };
  if ('id' in out) {
    out.eventID = out.id;
    delete out.id;
  }
  if (out.type === 'AggregationEvent' && 'persistentDisposition' in out) {
    out[farmFields.persistentDisposition] = out.persistentDisposition;
    delete out.persistentDisposition;
  }
  return out;
}

describe('GS1 EPCIS examples', () => {
  it('are all there', () => {
    expect(examples.length).toBe(7);
  });

  for (const file of examples) {
    it(`${file} parses losslessly and rebuilds into a schema-valid document`, () => {
      const source = readReferenceJson(`standards/epcis/examples/${file}`) as {
        '@context': unknown[];
        epcisBody: { eventList: Json[] };
      };
      const parsed = parseEpcisDocument(source);
      expect(parsed.epcisBody.eventList).toEqual(source.epcisBody.eventList.map(expectedAfterParse));
      const extraContext = source['@context'].filter((c): c is Json => typeof c === 'object' && c !== null);
      const built = buildEpcisDocument(parsed.epcisBody.eventList, { clock, context: extraContext });
      expect(validate(built)).toEqual({ ok: true });
      expect(parseEpcisDocument(built).epcisBody.eventList).toEqual(built.epcisBody.eventList);
    });
  }
});

describe('buildEpcisDocument', () => {
  it('wraps the farm events in a schema-valid EPCISDocument', () => {
    const doc = buildEpcisDocument(sampleFarmEvents(), {
      clock,
      id: 'urn:uuid:7d1f0e52-1c55-4e2b-9a61-3f0a0d9e0b11',
    });
    expect(doc).toMatchObject({
      '@context': [epcisContextUrl, { suyuan: 'https://suyuan.example/voc/' }],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2024-06-22T01:02:03.456Z',
      id: 'urn:uuid:7d1f0e52-1c55-4e2b-9a61-3f0a0d9e0b11',
    });
    expect(doc.epcisBody.eventList).toHaveLength(sampleFarmEvents().length);
    expect(validate(doc)).toEqual({ ok: true });
  });

  it('writes bare CBV words even when given URN or web URI spellings', () => {
    const doc = buildEpcisDocument(sampleFarmEvents(), { clock });
    const text = JSON.stringify(doc);
    expect(text).not.toContain('urn:epcglobal:cbv:bizstep:');
    expect(text).not.toContain('urn:epcglobal:cbv:disp:');
    expect(text).not.toContain('ref.gs1.org/cbv/');
  });

  it('rejects a bad event with its position in the list', () => {
    const events = sampleFarmEvents();
    events[3] = { ...events[3], bizStep: 'comissioning' } as (typeof events)[number];
    expect(() => buildEpcisDocument(events, { clock })).toThrow(/eventList\[3\]\.bizStep/);
    expect(errorCodeOf(() => buildEpcisDocument(events, { clock }))).toBe('epcis.invalid');
  });

  it('rejects a non-URI document id and too many events', () => {
    expect(errorCodeOf(() => buildEpcisDocument([], { clock, id: '_:doc1' }))).toBe('epcis.invalid');
    const tooMany = new Array<unknown>(epcisLimits.documentEventsMax + 1).fill(sampleFarmEvents()[0]);
    expect(() => buildEpcisDocument(tooMany, { clock })).toThrow(/documentEventsMax/);
  });
});

describe('parseEpcisDocument', () => {
  const good = () => buildEpcisDocument(sampleFarmEvents().slice(0, 2), { clock }) as unknown as Json;

  it('rejects what is not an EPCIS 2 document, saying where', () => {
    const cases: [Json, RegExp][] = [
      [{ ...good(), type: 'EPCISQueryDocument' }, /document\.type/],
      [{ ...good(), schemaVersion: '1.2' }, /document\.schemaVersion/],
      [{ ...good(), creationDate: 'yesterday' }, /document\.creationDate/],
      [{ ...good(), epcisBody: {} }, /document\.epcisBody\.eventList/],
      [
        { ...good(), epcisBody: { eventList: [{ type: 'ObjectEvent' }] } },
        /document\.epcisBody\.eventList\[0\]\.eventTime/,
      ],
      [{ ...good(), schemaVersin: '2.0' }, /document\.schemaVersin/],
    ];
    for (const [input, where] of cases) {
      expect(errorCodeOf(() => parseEpcisDocument(input))).toBe('epcis.invalid');
      expect(() => parseEpcisDocument(input)).toThrow(where);
    }
  });

  it('accepts the JSON-LD blank node id of the GS1 examples', () => {
    expect(parseEpcisDocument({ ...good(), id: '_:document1' }).id).toBe('_:document1');
  });
});
