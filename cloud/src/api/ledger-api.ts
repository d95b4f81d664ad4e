import { Hono } from 'hono';
import { errorResponse, onApiError } from './http-errors.ts';
import {
  defaultLedgerApiLimits,
  type LedgerApiLimits,
  type LedgerNode,
  LedgerReader,
} from './ledger-node.ts';
import { openApiDocument } from './openapi.ts';
import { queryRoutes } from './query-routes.ts';
import { submissionRoutes } from './submission-routes.ts';

/**
 * The ledger's HTTP API under /v1 (hono). Mount it in the replica's app (`app.route('/', api)`) or
 * serve it alone in single-replica mode. OpenAPI 3.1 at /v1/openapi.json.
 */
export function createLedgerApi(node: LedgerNode, limits: LedgerApiLimits = defaultLedgerApiLimits): Hono {
  const reader = new LedgerReader(node, limits);
  const app = new Hono();
  app.onError(onApiError);
  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));
  app.route('/', submissionRoutes(reader));
  app.route('/', queryRoutes(reader));
  app.notFound((c) => errorResponse(c, 404, 'notFound', `no route for ${c.req.method} ${c.req.path}`));
  return app;
}
