import {
  blockHeaderSchema,
  blockProofSchema,
  errorBodySchema,
  receiptSchema,
  submissionStatusSchema,
  submitRequestSchema,
  submitResponseSchema,
  traceResponseSchema,
} from '@suyuan/shared';
import { z } from 'zod';

/**
 * OpenAPI 3.1 description of /v1, with component schemas generated from the same zod schemas the
 * routes validate with (shared/src/wire), so the document cannot drift from the code's shapes.
 */

function schema(s: z.ZodType): unknown {
  return z.toJSONSchema(s, { unrepresentable: 'any', io: 'output', target: 'draft-2020-12' });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json('Error') });
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'EPC URI (urn:epc:id:sgtin:…, urn:epc:class:lgtin:…, urn:epc:id:sscc:…) or GS1 Digital Link, URL-encoded',
  schema: { type: 'string' },
};
const page = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
  {
    name: 'after',
    in: 'query',
    description: 'the `next` cursor of the previous page',
    schema: { type: 'string' },
  },
];

let cached: unknown;

export function openApiDocument(): unknown {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'Suyuan ledger API', version: '1' },
    paths: {
      '/v1/submissions': {
        post: {
          summary: 'Submit a signed submission (idempotent by submitter and seq)',
          requestBody: { required: true, ...json('SubmitRequest') },
          responses: {
            '200': { description: 'already committed or rejected', ...json('SubmitResponse') },
            '202': { description: 'accepted for ordering', ...json('SubmitResponse') },
            '400': error('malformed, bad key or bad signature'),
            '409': error('(submitter, seq) already used for another body'),
            '413': error('body too large'),
            '503': error('overloaded: retry later or at another replica'),
          },
        },
      },
      '/v1/submissions/{submitter}/{seq}': {
        get: {
          summary: 'Submission status with its receipt',
          parameters: [
            { name: 'submitter', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'seq', in: 'path', required: true, schema: { type: 'integer' } },
            {
              name: 'waitMs',
              in: 'query',
              required: false,
              description:
                'hold a pending answer until the submission has its receipt or is rejected, at most this long (capped at 10000); the replica sends the suyuan-status-wait-ms-max header when it holds',
              schema: { type: 'integer', minimum: 0 },
            },
            {
              name: 'receipt',
              in: 'query',
              required: false,
              description:
                'compact: a reading batch receipt entry comes without the readings (payloadsOmitted: true); the submitter splices its own back in to check the leaf. Other values: the full form',
              schema: { type: 'string', enum: ['compact'] },
            },
          ],
          responses: {
            '200': { description: 'status', ...json('SubmissionStatus') },
            '400': error('bad path or waitMs'),
          },
        },
      },
      '/v1/trace/backward/{id}': {
        get: {
          summary: 'Backward trace: events, inputs, contents and containers, with proofs',
          parameters: [idParam],
          responses: { '200': { description: 'trace', ...json('Trace') }, '404': error('unknown item') },
        },
      },
      '/v1/trace/forward/{id}': {
        get: {
          summary: 'Forward trace: everything packed into or made from it, and where each is now',
          parameters: [idParam],
          responses: { '200': { description: 'trace', ...json('Trace') }, '404': error('unknown item') },
        },
      },
      '/v1/items/{id}': {
        get: {
          summary: 'An item and its own events',
          parameters: [idParam],
          responses: { '200': { description: 'item' }, '404': error('unknown') },
        },
      },
      '/v1/lots/{id}': {
        get: {
          summary: 'A lot and its own events',
          parameters: [idParam],
          responses: { '200': { description: 'lot' }, '404': error('unknown') },
        },
      },
      '/v1/participants/{id}': {
        get: {
          summary: 'A participant, its keys and devices',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'participant' }, '404': error('unknown') },
        },
      },
      '/v1/chains': {
        get: { summary: 'Chains and their heights', responses: { '200': { description: 'chains' } } },
      },
      '/v1/chains/{chain}/blocks': {
        get: {
          summary: 'Block headers, newest first',
          parameters: [{ name: 'chain', in: 'path', required: true, schema: { type: 'string' } }, ...page],
          responses: { '200': { description: 'page of headers' }, '404': error('unknown chain') },
        },
      },
      '/v1/chains/{chain}/blocks/{height}': {
        get: {
          summary: 'A block: header, transactions and proof',
          parameters: [
            { name: 'chain', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'height', in: 'path', required: true, schema: { type: 'integer' } },
          ],
          responses: { '200': { description: 'block' }, '404': error('unknown block') },
        },
      },
      '/v1/devices/{deviceId}/readings': {
        get: {
          summary: "One device's readings in a time window (device -> reading-batches index), oldest first",
          parameters: [
            { name: 'deviceId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'from', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'to', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          ],
          responses: {
            '200': { description: '{ deviceId, readings, batches, truncated }' },
            '400': error('bad device id or window'),
          },
        },
      },
      '/v1/rejections': {
        get: {
          summary: 'Rejected submissions with reasons, newest first',
          parameters: [{ name: 'submitter', in: 'query', schema: { type: 'string' } }, ...page],
          responses: { '200': { description: 'page of rejections' } },
        },
      },
    },
    components: {
      schemas: {
        SubmitRequest: schema(submitRequestSchema),
        SubmitResponse: schema(submitResponseSchema),
        SubmissionStatus: schema(submissionStatusSchema),
        Receipt: schema(receiptSchema),
        Trace: schema(traceResponseSchema),
        BlockHeader: schema(blockHeaderSchema),
        BlockProof: schema(blockProofSchema),
        Error: schema(errorBodySchema),
      },
    },
  };
  return cached;
}
