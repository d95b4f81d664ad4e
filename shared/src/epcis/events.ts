import { z } from 'zod';
import { InputError } from '../errors.ts';
import { farmBizSteps, farmFields, preHarvestIntervalDaysMax } from './farm-vocabulary.ts';
import {
  bizTransaction,
  certificationInfo,
  context,
  dateTime,
  destination,
  disposition,
  epc,
  epcList,
  errorDeclaration,
  extensible,
  ilmd,
  list,
  location,
  persistentDisposition,
  quantityElement,
  sensorElement,
  source,
  term,
  timeZoneOffset,
  uri,
} from './fields.ts';
import { bizStepVocabulary } from './vocabulary.ts';

/**
 * The five EPCIS 2.0 event types as zod schemas: parsing validates, normalises vocabulary terms to their
 * bare CBV words and keeps extension fields. The rules mirror the GS1 EPCIS JSON schema (which EPC
 * lists an event needs, ILMD only on ADD, ...) plus our farm rule: spraying states its pre-harvest interval.
 */

const commonFields = {
  '@context': context.optional(),
  eventTime: dateTime,
  recordTime: dateTime.optional(),
  eventTimeZoneOffset: timeZoneOffset,
  eventID: uri.optional(),
  certificationInfo: certificationInfo.optional(),
  errorDeclaration: errorDeclaration.optional(),
  bizStep: term(bizStepVocabulary).optional(),
  disposition: disposition.optional(),
  readPoint: location.optional(),
  bizLocation: location.optional(),
  bizTransactionList: list(bizTransaction).optional(),
  sourceList: list(source).optional(),
  destinationList: list(destination).optional(),
  sensorElementList: list(sensorElement).optional(),
  [farmFields.preHarvestIntervalDays]: z.number().int().min(0).max(preHarvestIntervalDaysMax).optional(),
  [farmFields.productName]: z.string().min(1).max(200).optional(),
};

const action = z.enum(['OBSERVE', 'ADD', 'DELETE']);

type Ctx = z.core.$RefinementCtx;

function check(ctx: Ctx, ok: boolean, message: string, path: PropertyKey[] = []): void {
  if (!ok) ctx.addIssue({ code: 'custom', message, path });
}

const nonEmpty = (xs: readonly unknown[] | undefined): boolean => xs !== undefined && xs.length > 0;

function farmRules(event: { bizStep?: string | undefined; [key: string]: unknown }, ctx: Ctx): void {
  check(
    ctx,
    event.bizStep !== farmBizSteps.spraying || event[farmFields.preHarvestIntervalDays] !== undefined,
    `a spraying event must state ${farmFields.preHarvestIntervalDays}`,
    [farmFields.preHarvestIntervalDays],
  );
}

export const objectEventSchema = extensible({
  ...commonFields,
  type: z.literal('ObjectEvent'),
  action,
  epcList: epcList().optional(),
  quantityList: list(quantityElement).optional(),
  persistentDisposition: persistentDisposition.optional(),
  ilmd: ilmd.optional(),
}).superRefine((e, ctx) => {
  const sensorsAtPoint = nonEmpty(e.sensorElementList) && e.readPoint !== undefined;
  check(
    ctx,
    e.epcList !== undefined || nonEmpty(e.quantityList) || sensorsAtPoint,
    'an ObjectEvent needs epcList, a non-empty quantityList, or sensorElementList with a readPoint',
  );
  check(ctx, e.ilmd === undefined || e.action === 'ADD', 'ilmd is only allowed when action is ADD', ['ilmd']);
  farmRules(e, ctx);
});

const childFields = {
  parentID: epc.optional(),
  childEPCs: epcList().optional(),
  childQuantityList: list(quantityElement).optional(),
  action,
  /** See farmFields.persistentDisposition: the standard does not allow the plain field on these types. */
  [farmFields.persistentDisposition]: persistentDisposition.optional(),
};

function childRules(name: string) {
  return (e: z.output<z.ZodObject<typeof childFields>> & { [key: string]: unknown }, ctx: Ctx) => {
    check(
      ctx,
      nonEmpty(e.childEPCs) || nonEmpty(e.childQuantityList) || e.action === 'DELETE',
      `an ${name} needs childEPCs or childQuantityList unless action is DELETE`,
    );
    farmRules(e, ctx);
  };
}

export const aggregationEventSchema = extensible({
  ...commonFields,
  ...childFields,
  type: z.literal('AggregationEvent'),
}).superRefine(childRules('AggregationEvent'));

export const associationEventSchema = extensible({
  ...commonFields,
  ...childFields,
  type: z.literal('AssociationEvent'),
  parentID: epc,
}).superRefine(childRules('AssociationEvent'));

export const transactionEventSchema = extensible({
  ...commonFields,
  type: z.literal('TransactionEvent'),
  action,
  bizTransactionList: list(bizTransaction).min(1),
  parentID: epc.optional(),
  epcList: epcList().optional(),
  quantityList: list(quantityElement).optional(),
  [farmFields.persistentDisposition]: persistentDisposition.optional(),
}).superRefine((e, ctx) => {
  check(
    ctx,
    e.epcList !== undefined || nonEmpty(e.quantityList) || e.action === 'DELETE',
    'a TransactionEvent needs epcList or a non-empty quantityList unless action is DELETE',
  );
  farmRules(e, ctx);
});

export const transformationEventSchema = extensible({
  ...commonFields,
  type: z.literal('TransformationEvent'),
  inputEPCList: epcList().optional(),
  inputQuantityList: list(quantityElement).optional(),
  outputEPCList: epcList().optional(),
  outputQuantityList: list(quantityElement).optional(),
  transformationID: uri.optional(),
  persistentDisposition: persistentDisposition.optional(),
  ilmd: ilmd.optional(),
}).superRefine((e, ctx) => {
  const inputs = nonEmpty(e.inputEPCList) || nonEmpty(e.inputQuantityList);
  const outputs = nonEmpty(e.outputEPCList) || nonEmpty(e.outputQuantityList);
  check(
    ctx,
    (inputs && outputs) || (e.transformationID !== undefined && (inputs || outputs)),
    'a TransformationEvent needs inputs and outputs, or a transformationID with inputs or outputs',
  );
  farmRules(e, ctx);
});

const LEGACY_PERSISTENT_TYPES = new Set(['AggregationEvent', 'AssociationEvent', 'TransactionEvent']);

/**
 * Accept two legacy spellings found in GS1's own examples, without losing data:
 * `id` for `eventID` (both are JSON-LD `@id`), and `persistentDisposition` on event types where the
 * ratified standard no longer allows it (moved to `suyuan:persistentDisposition`).
 */
function upgradeLegacy(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const event: Record<string, unknown> = { ...input };
  if ('id' in event && !('eventID' in event)) {
    event.eventID = event.id;
    delete event.id;
  }
  const moves =
    LEGACY_PERSISTENT_TYPES.has(String(event.type)) && !(farmFields.persistentDisposition in event);
  if (moves && 'persistentDisposition' in event) {
    event[farmFields.persistentDisposition] = event.persistentDisposition;
    delete event.persistentDisposition;
  }
  return event;
}

export const epcisEventSchema = z.preprocess(
  upgradeLegacy,
  z.discriminatedUnion('type', [
    objectEventSchema,
    aggregationEventSchema,
    transactionEventSchema,
    transformationEventSchema,
    associationEventSchema,
  ]),
);

export type ObjectEvent = z.output<typeof objectEventSchema>;
export type AggregationEvent = z.output<typeof aggregationEventSchema>;
export type TransactionEvent = z.output<typeof transactionEventSchema>;
export type TransformationEvent = z.output<typeof transformationEventSchema>;
export type AssociationEvent = z.output<typeof associationEventSchema>;
export type EpcisEvent =
  | ObjectEvent
  | AggregationEvent
  | TransactionEvent
  | TransformationEvent
  | AssociationEvent;
/** What callers may pass in: vocabulary terms in any accepted spelling. */
export type EpcisEventInput =
  | z.input<typeof objectEventSchema>
  | z.input<typeof aggregationEventSchema>
  | z.input<typeof transactionEventSchema>
  | z.input<typeof transformationEventSchema>
  | z.input<typeof associationEventSchema>;

/** `eventList[2].sensorElementList[0].sensorReport[1].type` */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Turn zod issues into the one error callers see: 'epcis.invalid', naming where each problem is. */
export function epcisInvalid(error: z.ZodError, where: string): InputError {
  const issues = error.issues.map((i) => ({
    path: `${where}${formatIssuePath(i.path)}`,
    message: i.message,
  }));
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  return new InputError('epcis.invalid', `invalid EPCIS ${shown.join('; ')}${more}`, { issues });
}

/** Validate and normalise one event; throws InputError 'epcis.invalid' with the path of each problem. */
export function parseEpcisEvent(input: unknown, where = 'event'): EpcisEvent {
  const result = epcisEventSchema.safeParse(input);
  if (!result.success) throw epcisInvalid(result.error, where);
  return result.data;
}
