import { describe, expect, it } from 'vitest';
import { farmBizSteps, isFarmBizStep } from './farm-vocabulary.ts';
import { readReferenceJson } from './reference-files.ts';
import {
  bizStepVocabulary,
  bizTransactionTypeVocabulary,
  componentVocabulary,
  dispositionVocabulary,
  errorReasonVocabulary,
  measurementTypeVocabulary,
  normaliseTerm,
  sensorAlertTypeVocabulary,
  sourceDestTypeVocabulary,
  type Vocabulary,
} from './vocabulary.ts';

interface SchemaJson {
  definitions: Record<string, { anyOf?: { enum?: string[] }[] }>;
}

const schema = readReferenceJson('standards/epcis/EPCIS-JSON-Schema.json') as SchemaJson;

function schemaWords(definition: string): string[] {
  const words = schema.definitions[definition]?.anyOf?.find((a) => a.enum)?.enum;
  if (!words) throw new Error(`schema has no word list for ${definition}`);
  return words;
}

function normalised(vocabulary: Vocabulary, value: string): string {
  const result = normaliseTerm(vocabulary, value);
  return result.ok ? result.term : `error: ${result.reason}`;
}

describe('CBV vocabularies', () => {
  it('list exactly the words of the GS1 EPCIS JSON schema', () => {
    const pairs: [Vocabulary, string][] = [
      [bizStepVocabulary, 'bizStep'],
      [dispositionVocabulary, 'disposition'],
      [bizTransactionTypeVocabulary, 'bizTransaction-type'],
      [sourceDestTypeVocabulary, 'source-dest-type'],
      [errorReasonVocabulary, 'error-reason'],
      [componentVocabulary, 'component'],
      [measurementTypeVocabulary, 'measurementType'],
      [sensorAlertTypeVocabulary, 'sensorAlertType'],
    ];
    for (const [vocabulary, definition] of pairs) {
      expect([definition, [...vocabulary.words].sort()]).toEqual([
        definition,
        [...schemaWords(definition)].sort(),
      ]);
    }
  });

  it('normalises every spelling of a bizStep and disposition to the bare word', () => {
    for (const spelling of [
      'shipping',
      'urn:epcglobal:cbv:bizstep:shipping',
      'https://ref.gs1.org/cbv/BizStep-shipping',
      'http://ref.gs1.org/cbv/BizStep-shipping',
      'cbv:BizStep-shipping',
    ]) {
      expect(normalised(bizStepVocabulary, spelling)).toBe('shipping');
    }
    expect(normalised(dispositionVocabulary, 'urn:epcglobal:cbv:disp:in_transit')).toBe('in_transit');
    expect(normalised(dispositionVocabulary, 'https://ref.gs1.org/cbv/Disp-in_transit')).toBe('in_transit');
    expect(normalised(bizTransactionTypeVocabulary, 'urn:epcglobal:cbv:btt:po')).toBe('po');
    expect(normalised(sourceDestTypeVocabulary, 'https://ref.gs1.org/cbv/SDT-owning_party')).toBe(
      'owning_party',
    );
    expect(normalised(errorReasonVocabulary, 'urn:epcglobal:cbv:er:did_not_occur')).toBe('did_not_occur');
    expect(normalised(measurementTypeVocabulary, 'gs1:Temperature')).toBe('Temperature');
    expect(normalised(measurementTypeVocabulary, 'https://gs1.org/voc/RelativeHumidity')).toBe(
      'RelativeHumidity',
    );
  });

  it('keeps extension URIs outside the GS1 namespaces', () => {
    expect(normalised(bizStepVocabulary, farmBizSteps.spraying)).toBe(
      'https://suyuan.example/voc/bizstep/spraying',
    );
    expect(normalised(dispositionVocabulary, 'urn:example:disp:quarantined')).toBe(
      'urn:example:disp:quarantined',
    );
    expect(normalised(measurementTypeVocabulary, 'https://suyuan.example/voc/SoilMoisture')).toBe(
      'https://suyuan.example/voc/SoilMoisture',
    );
  });

  it('rejects misspelt words, unknown terms in GS1 namespaces and bare extension words', () => {
    expect(normalised(bizStepVocabulary, 'shiping')).toMatch(
      /^error: "shiping" is not a standard bizStep; extensions/,
    );
    expect(normalised(bizStepVocabulary, 'planting')).toMatch(/^error: .*extensions must be full URIs/);
    expect(normalised(bizStepVocabulary, 'urn:epcglobal:cbv:bizstep:planting')).toMatch(
      /^error: .*not a standard bizStep/,
    );
    expect(normalised(bizStepVocabulary, 'https://ref.gs1.org/cbv/BizStep-Shipping')).toMatch(/^error:/);
    expect(normalised(bizStepVocabulary, 'https://ns.gs1.org/cbv/BizStep-shipping')).toMatch(
      /^error: .*GS1 namespace/,
    );
    expect(normalised(dispositionVocabulary, 'urn:epcglobal:cbv:bizstep:shipping')).toMatch(
      /^error: .*GS1 namespace/,
    );
    expect(normalised(measurementTypeVocabulary, 'gs1:Temprature')).toMatch(/^error:/);
    expect(normalised(bizStepVocabulary, '')).toMatch(/^error:/);
  });
});

describe('farm vocabulary', () => {
  it('has full-URI bizStepVocabulary under our namespace for the work CBV has no word for', () => {
    expect(Object.keys(farmBizSteps).sort()).toEqual([
      'fertilising',
      'harvesting',
      'irrigating',
      'planting',
      'spraying',
    ]);
    for (const step of Object.values(farmBizSteps)) {
      expect(step.startsWith('https://suyuan.example/voc/bizstep/')).toBe(true);
      expect(isFarmBizStep(step)).toBe(true);
    }
    expect(isFarmBizStep('shipping')).toBe(false);
    expect(isFarmBizStep(undefined)).toBe(false);
  });
});
