import { fullFormats } from 'ajv-formats/dist/formats.js';
import { z } from 'zod';
import { AssertionError, isSuyuanError } from '../errors.ts';
import { epcUriScheme, parseEpcUri } from '../gs1/epc-uri.ts';
import {
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

/**
 * Zod building blocks of EPCIS 2.0 events. URI and date-time checks reuse ajv-formats' own validators,
 * so whatever passes here also passes the GS1 JSON schema that exports are checked against.
 */

export const epcisLimits = {
  /** Longest URI (EPC, location, document reference) in an event. */
  uriCharsMax: 4096,
  /** Most EPCs in one list (epcList, childEPCs, inputEPCList, ...). */
  epcListItemsMax: 10_000,
  /** Most entries in any other list (quantities, transactions, sources, sensor elements and reports). */
  otherListItemsMax: 1_000,
  /** Most events in one EPCIS document. */
  documentEventsMax: 10_000,
} as const;

function formatCheck(name: 'uri' | 'date-time'): (value: string) => boolean {
  const format: unknown = fullFormats[name];
  const validate =
    typeof format === 'object' && format !== null && 'validate' in format ? format.validate : format;
  if (typeof validate === 'function') return (value) => Boolean(validate(value));
  if (validate instanceof RegExp) return (value) => validate.test(value);
  throw new AssertionError(`ajv-formats has no usable ${name} validator`);
}

export const isUri = formatCheck('uri');
export const isDateTime = formatCheck('date-time');

export const uri = z
  .string()
  .max(epcisLimits.uriCharsMax, `longer than uriCharsMax (${epcisLimits.uriCharsMax})`)
  .refine(isUri, 'must be an absolute URI');

/** A URI that, when it claims a GS1 EPC scheme we model (sgtin, lgtin, sscc, sgln, pgln), must be valid. */
export const epc = uri.superRefine((value, ctx) => {
  if (epcUriScheme(value) === undefined) return;
  try {
    parseEpcUri(value);
  } catch (error) {
    if (!isSuyuanError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: `${error.message} (${error.code})` });
  }
});

export const dateTime = z.string().refine(isDateTime, 'must be an RFC 3339 date-time with a time zone');

export const timeZoneOffset = z
  .string()
  .regex(/^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$/, 'must be an offset from -14:00 to +14:00, e.g. +08:00');

/** A vocabulary term, normalised to the bare CBV word or kept as an extension URI. */
export function term(vocabulary: Vocabulary) {
  return z.string().transform((value, ctx) => {
    const result = normaliseTerm(vocabulary, value);
    if (result.ok && (!result.term.includes(':') || isUri(result.term))) return result.term;
    const message = result.ok ? `${JSON.stringify(value)} is not a valid URI` : result.reason;
    ctx.issues.push({ code: 'custom', message, input: value });
    return z.NEVER;
  });
}

export function epcList() {
  return z.array(epc).max(epcisLimits.epcListItemsMax, 'more items than epcListItemsMax').refine(unique, {
    message: 'must not list the same EPC twice',
  });
}

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item).max(epcisLimits.otherListItemsMax, 'more items than otherListItemsMax');
}

/**
 * An object with known fields plus extension fields; extension names must be URIs or compact IRIs
 * (`example:myField`), as the EPCIS JSON schema requires, so a misspelt standard field is caught.
 */
export function extensible<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        // An undefined value is an absent field to a JS caller, and JSON cannot carry one.
        if (Object.hasOwn(shape, key) || isUri(key) || value[key] === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown field ${JSON.stringify(key)}; extension fields need a namespace, e.g. "example:${key}"`,
        });
      }
    });
}

export const context = z.union([
  uri,
  z.record(z.string(), z.unknown()),
  z.array(z.union([uri, z.record(z.string(), z.unknown())])),
]);

export const location = z.object({ id: epc }).catchall(z.unknown());

export const quantityElement = z
  .object({
    epcClass: epc,
    quantity: z.number().optional(),
    uom: z
      .string()
      .regex(/^[A-Z0-9]{2,3}$/, 'must be a UN/CEFACT unit code such as KGM')
      .optional(),
  })
  .strict()
  .refine((q) => q.uom === undefined || q.quantity !== undefined, {
    message: 'uom needs a quantity',
    path: ['uom'],
  });

export const bizTransaction = z
  .object({ type: term(bizTransactionTypeVocabulary).optional(), bizTransaction: uri })
  .strict();
export const source = z.object({ type: term(sourceDestTypeVocabulary), source: epc }).strict();
export const destination = z.object({ type: term(sourceDestTypeVocabulary), destination: epc }).strict();

export const disposition = term(dispositionVocabulary);

export const persistentDisposition = z
  .object({ set: list(disposition).min(1).optional(), unset: list(disposition).min(1).optional() })
  .strict()
  .refine((p) => p.set !== undefined || p.unset !== undefined, 'needs "set" or "unset"')
  .refine((p) => unique(p.set ?? []) && unique(p.unset ?? []), 'lists a disposition twice');

export const errorDeclaration = extensible({
  declarationTime: dateTime,
  reason: term(errorReasonVocabulary).optional(),
  correctiveEventIDs: list(uri).optional(),
});

export const certificationInfo = z.union([uri, list(uri)]);

export const ilmd = z.record(
  z.string().refine(isUri, 'ILMD field names must be namespaced URIs'),
  z.unknown(),
);

export const sensorMetadata = extensible({
  time: dateTime.optional(),
  deviceID: uri.optional(),
  deviceMetadata: uri.optional(),
  rawData: uri.optional(),
  startTime: dateTime.optional(),
  endTime: dateTime.optional(),
  dataProcessingMethod: uri.optional(),
  bizRules: uri.optional(),
}).refine((m) => !(m.startTime && m.endTime && Date.parse(m.startTime) > Date.parse(m.endTime)), {
  message: 'startTime is after endTime',
  path: ['startTime'],
});

export const sensorReport = extensible({
  type: term(measurementTypeVocabulary),
  exception: term(sensorAlertTypeVocabulary).optional(),
  deviceID: uri.optional(),
  deviceMetadata: uri.optional(),
  rawData: uri.optional(),
  dataProcessingMethod: uri.optional(),
  bizRules: uri.optional(),
  time: dateTime.optional(),
  microorganism: uri.optional(),
  chemicalSubstance: uri.optional(),
  coordinateReferenceSystem: uri.optional(),
  value: z.number().optional(),
  component: term(componentVocabulary).optional(),
  stringValue: z.string().optional(),
  booleanValue: z.boolean().optional(),
  hexBinaryValue: z
    .string()
    .regex(/^[A-Fa-f0-9]+$/, 'must be hex')
    .optional(),
  uriValue: uri.optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
  meanValue: z.number().optional(),
  sDev: z.number().optional(),
  percRank: z.number().optional(),
  percValue: z.number().optional(),
  uom: z.string().optional(),
}).refine((r) => !(r.minValue !== undefined && r.maxValue !== undefined && r.minValue > r.maxValue), {
  message: 'minValue is above maxValue',
  path: ['minValue'],
});

export const sensorElement = extensible({
  sensorMetadata: sensorMetadata.optional(),
  sensorReport: list(sensorReport).min(1),
});
