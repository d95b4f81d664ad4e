import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { InputError } from '../errors.ts';
import { type EpcisEvent, epcisEventSchema, epcisInvalid } from './events.ts';
import { suyuanContext } from './farm-vocabulary.ts';
import { context, dateTime, epcisLimits, extensible, isUri } from './fields.ts';

/**
 * EPCIS 2.0 documents: building the JSON-LD `EPCISDocument` we export, and parsing one we receive.
 * A built document always validates against the GS1 EPCIS JSON schema (see schema-validate.ts).
 */

/** The JSON-LD context of EPCIS 2.0, as published by GS1. */
export const epcisContextUrl = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

export type ContextEntry = string | Record<string, unknown>;

export interface EpcisDocument {
  '@context': ContextEntry[];
  type: 'EPCISDocument';
  schemaVersion: '2.0';
  creationDate: string;
  id?: string;
  sender?: string;
  receiver?: string;
  instanceIdentifier?: string;
  epcisBody: { eventList: EpcisEvent[] };
}

export interface BuildDocumentOptions {
  /** creationDate comes from here (injected so exports are reproducible in tests). */
  clock: Clock;
  /** Document id; must be an absolute URI such as `urn:uuid:…`. */
  id?: string;
  sender?: string;
  receiver?: string;
  instanceIdentifier?: string;
  /** Extra prefixes used by extension fields, e.g. `{ example: 'http://ns.example.com/epcis/' }`. */
  context?: readonly Record<string, unknown>[];
}

function checkEventCount(count: number): void {
  if (count > epcisLimits.documentEventsMax) {
    throw new InputError(
      'epcis.invalid',
      `an EPCIS document holds at most documentEventsMax (${epcisLimits.documentEventsMax}) events, got ${count}`,
    );
  }
}

/**
 * Validate every event (in any accepted spelling) and wrap them in an EPCISDocument with the EPCIS
 * context, our `suyuan` prefix and any extra prefixes the caller's extensions need.
 */
export function buildEpcisDocument(events: readonly unknown[], options: BuildDocumentOptions): EpcisDocument {
  checkEventCount(events.length);
  const parsed = z.array(epcisEventSchema).safeParse(events);
  if (!parsed.success) throw epcisInvalid(parsed.error, 'eventList');
  if (options.id !== undefined && !isUri(options.id)) {
    throw new InputError(
      'epcis.invalid',
      `document id ${JSON.stringify(options.id)} must be an absolute URI`,
    );
  }
  const doc: EpcisDocument = {
    '@context': [epcisContextUrl, { ...suyuanContext }, ...(options.context ?? [])],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(options.clock.now()).toISOString(),
    epcisBody: { eventList: parsed.data },
  };
  if (options.id !== undefined) doc.id = options.id;
  if (options.sender !== undefined) doc.sender = options.sender;
  if (options.receiver !== undefined) doc.receiver = options.receiver;
  if (options.instanceIdentifier !== undefined) doc.instanceIdentifier = options.instanceIdentifier;
  return doc;
}

/** JSON-LD blank node ids (`_:doc1`) appear in GS1's examples; the JSON schema wants URIs. */
const documentId = z
  .string()
  .refine((s) => isUri(s) || /^_:\S+$/.test(s), 'must be a URI or a _: blank node id');

const documentSchema = extensible({
  '@context': context,
  type: z.literal('EPCISDocument'),
  schemaVersion: z.string().regex(/^2(\.\d+)*$/, 'must be 2.0 (EPCIS 2)'),
  creationDate: dateTime,
  id: documentId.optional(),
  sender: z.string().optional(),
  receiver: z.string().optional(),
  instanceIdentifier: z.string().optional(),
  epcisHeader: z.record(z.string(), z.unknown()).optional(),
  epcisBody: z
    .object({
      eventList: z.array(epcisEventSchema).max(epcisLimits.documentEventsMax, 'more than documentEventsMax'),
    })
    .strict(),
});

export type ParsedEpcisDocument = z.output<typeof documentSchema>;

/** Parse a received EPCISDocument: every event validated and normalised, the header kept as is. */
export function parseEpcisDocument(input: unknown): ParsedEpcisDocument {
  const result = documentSchema.safeParse(input);
  if (!result.success) throw epcisInvalid(result.error, 'document');
  return result.data;
}
