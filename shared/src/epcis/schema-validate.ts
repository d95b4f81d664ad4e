import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validation against the GS1 EPCIS 2.0 JSON schema (draft-07, so plain Ajv, not ajv/dist/2019 or 2020),
 * with ajv-formats for its `uri` and `date-time` formats. The schema is passed in, not read here, so
 * this stays free of file I/O; reference-files.ts finds the copy in ../shared/standards/epcis/.
 */

export interface SchemaProblem {
  /** JSON pointer into the document, e.g. /epcisBody/eventList/0/eventTime. */
  path: string;
  message: string;
}

export type SchemaCheck = { ok: true } | { ok: false; problems: SchemaProblem[] };

export type EpcisSchemaValidator = (document: unknown) => SchemaCheck;

function toProblem(error: ErrorObject): SchemaProblem {
  const name =
    typeof error.params.propertyName === 'string' ? ` (property ${error.params.propertyName})` : '';
  return { path: error.instancePath || '/', message: `${error.message ?? error.keyword}${name}` };
}

/** Compile the EPCIS JSON schema once; the returned function checks documents and events. */
export function compileEpcisSchema(schema: object): EpcisSchemaValidator {
  // strict: false because the GS1 schema uses keyword combinations Ajv's strict mode flags
  // (e.g. `if` without a sibling `type`); allErrors so a report lists every problem at once.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (document) => {
    if (validate(document)) return { ok: true };
    return { ok: false, problems: (validate.errors ?? []).map(toProblem) };
  };
}
