import { Hono } from 'hono';
import { traceableId } from '../ledger/identity.ts';
import { blockJson } from './block-json.ts';
import { errorResponse, intParam, onApiError } from './http-errors.ts';
import type { LedgerReader } from './ledger-node.ts';

/**
 * Read side of /v1: traces, item/lot, participant, chain and block views, rejections. Identities in
 * paths are EPC URIs or GS1 Digital Links, URL-encoded (a Digital Link's own slashes may also stay).
 */
export function queryRoutes(reader: LedgerReader): Hono {
  const app = new Hono();
  app.onError(onApiError);
  const { views, traces, proofs, limits } = reader;

  app.get('/v1/trace/:direction{backward|forward}/:id{.+}', (c) => {
    const direction = c.req.param('direction') as 'backward' | 'forward';
    const id = traceableId(decodeURIComponent(c.req.param('id')));
    const nodesMax = intParam(
      c.req.query('nodesMax'),
      'nodesMax',
      limits.traceNodesMax,
      limits.traceNodesMax,
    );
    const trace = traces.trace(id.key, direction, nodesMax);
    if (!trace) return errorResponse(c, 404, 'trace.unknownItem', `${id.key} is not on the ledger`);
    return c.json(trace);
  });

  /** One item or lot: its state and its own events with proofs (a trace of one node). */
  app.get('/v1/:what{items|lots}/:id{.+}', (c) => {
    const id = traceableId(decodeURIComponent(c.req.param('id')));
    const wantLot = c.req.param('what') === 'lots';
    if (wantLot !== (id.kind === 'lgtin')) {
      return errorResponse(
        c,
        400,
        'trace.badIdentity',
        `${id.key} is ${wantLot ? 'not a lot' : 'a lot: use /v1/lots'}`,
      );
    }
    const one = traces.trace(id.key, 'backward', 1);
    if (!one) return errorResponse(c, 404, 'trace.unknownItem', `${id.key} is not on the ledger`);
    return c.json({ item: one.nodes[0], events: one.events });
  });

  app.get('/v1/participants/:id{.+}', (c) => {
    const p = views.participant(decodeURIComponent(c.req.param('id')));
    if (!p) return errorResponse(c, 404, 'registry.unknownParticipant', 'no such participant');
    return c.json(p);
  });

  app.get('/v1/chains', (c) => {
    const heads = views.heads();
    const chains = reader.node.machine.config.chains.map((ch) => ({ ...ch, height: heads[ch.name] ?? 0 }));
    return c.json({ chains, lastBatch: reader.node.machine.lastApplied() });
  });

  app.get('/v1/chains/:chain/blocks', (c) => {
    const chain = knownChain(reader, c.req.param('chain'));
    if (chain === null) return errorResponse(c, 404, 'chain.unknown', 'no such chain');
    const limit = intParam(c.req.query('limit'), 'limit', 20, limits.pageItemsMax);
    const before = intParam(c.req.query('after'), 'after', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return c.json(views.blocks(chain, before, limit));
  });

  app.get('/v1/chains/:chain/blocks/:height{[0-9]+}', (c) => {
    const chain = knownChain(reader, c.req.param('chain'));
    if (chain === null) return errorResponse(c, 404, 'chain.unknown', 'no such chain');
    const height = intParam(c.req.param('height'), 'height', 1, Number.MAX_SAFE_INTEGER);
    const block = reader.node.machine.chains.block(chain, height);
    if (!block) return errorResponse(c, 404, 'block.unknown', `${chain} has no block ${height}`);
    const texts = reader.node.machine.chains.blockTxBytes(chain, height);
    const proof = proofs.blockProof(chain, height);
    if (texts.length === block.header.txCount) {
      c.header('content-type', 'application/json');
      return c.body(blockJson(block.header, texts, proof));
    }
    const txs = []; // a block whose tx rows are not all there (not written that way): as before
    for (let i = 0; i < block.header.txCount; i++) txs.push(reader.node.machine.chains.tx(chain, height, i));
    return c.json({ header: block.header, txs, proof });
  });

  /** One device's readings in a time window, from the device → reading-batches index. */
  app.get('/v1/devices/:deviceId/readings', (c) => {
    const deviceId = c.req.param('deviceId');
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(deviceId)) {
      return errorResponse(c, 400, 'query.invalid', 'a device id is 1-64 of A-Z a-z 0-9 . _ : -');
    }
    const to = intParam(c.req.query('to'), 'to', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const fromText = c.req.query('from');
    const from = fromText === '0' ? 0 : intParam(fromText, 'from', 0, Number.MAX_SAFE_INTEGER);
    if (from > to) return errorResponse(c, 400, 'query.invalid', 'from is after to');
    const limit = intParam(c.req.query('limit'), 'limit', 1000, deviceReadingsPageMax);
    return c.json(reader.deviceReadings.readings(deviceId, from, to, limit));
  });

  app.get('/v1/rejections', (c) => {
    const submitter = c.req.query('submitter') ?? null;
    const limit = intParam(c.req.query('limit'), 'limit', 20, limits.pageItemsMax);
    return c.json(views.rejections(submitter, c.req.query('after') ?? null, limit));
  });

  return app;
}

/** Most readings one page of /v1/devices/{id}/readings returns. */
export const deviceReadingsPageMax = 10_000;

function knownChain(reader: LedgerReader, name: string): string | null {
  return reader.node.machine.config.chains.some((c) => c.name === name) ? name : null;
}
