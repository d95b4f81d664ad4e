import { ProofBuilder } from '@suyuan/cloud/ledger/proofs';
import {
  actor,
  events,
  gtin,
  item,
  type LedgerFixture,
  ledgerFixture,
  lot,
  register,
  submitBody,
  T0,
} from '@suyuan/cloud/ledger/testing';
import { TraceQuery } from '@suyuan/cloud/ledger/trace-query';
import { generateKeyPair, type TraceResponse, verifyTrace } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The offline verifier catches every kind of doctored trace (shared/src/trace). */

let fx: LedgerFixture;
let trace: TraceResponse;
let keys: Uint8Array[];
const harvest = lot(gtin.tomato, 'V1');
const sauce = lot(gtin.sauce, 'V1');
const jar = item(gtin.sauce, 'VJ');

beforeEach(() => {
  fx = ledgerFixture();
  const farm = actor('farm');
  const processor = actor('processor');
  const carrier = actor('carrier');
  const steps: [ReturnType<typeof actor>, ReturnType<typeof events.harvest>][] = [
    [fx.admin, register(farm, ['farm'])],
    [fx.admin, register(processor, ['processor'])],
    [fx.admin, register(carrier, ['logistics'])],
    [farm, events.harvest(T0, harvest, 10)],
    [carrier, events.ship(T0, [harvest], processor.id)],
    [processor, events.receive(T0, [harvest])],
    [processor, events.transform(T0, [{ id: harvest, kg: 10 }], [{ id: sauce, kg: 8 }])],
    [processor, events.transformItems(T0, [{ id: sauce, kg: 1 }], [jar])],
  ];
  for (const [who, payload] of steps)
    expect(fx.run(submitBody(who, [payload], T0))?.status).toBe('committed');
  const query = new TraceQuery(fx.machine.db, fx.machine.state, new ProofBuilder(fx.machine.chains));
  trace = query.trace(jar, 'backward', 100)!;
  keys = fx.orderer.replicaPublicKeys;
});
afterEach(() => fx.cleanup());

const copy = (): TraceResponse => structuredClone(trace);

describe('verifyTrace', () => {
  it('accepts the trace as served', () => {
    expect(verifyTrace(trace, keys)).toMatchObject({ ok: true, eventsChecked: 5, itemsChecked: 3 });
  });

  it('refuses other replica keys', () => {
    expect(verifyTrace(trace, [generateKeyPair().publicKey]).failures[0]).toMatch(/quorum/);
  });

  it('catches an event left out of an item history', () => {
    const t = copy();
    const node = t.nodes.find((n) => n.key === harvest)!;
    node.events.splice(1, 1); // drop the shipment from the lot's history
    expect(verifyTrace(t, keys).failures.join()).toMatch(/previous event/);
  });

  it('catches an edited transaction, header or certificate', () => {
    const tx = copy();
    const e = tx.events[0]!;
    if (e.tx.kind === 'payload') e.tx.links = [];
    expect(verifyTrace(tx, keys).failures.join()).toMatch(/txRoot/);

    const header = copy();
    header.events[0]!.proof.block.header.time += 1;
    expect(verifyTrace(header, keys).failures.join()).toMatch(/certified state/);

    const cert = copy();
    cert.events[0]!.proof.block.certificate.signatures = [];
    expect(verifyTrace(cert, keys).failures.join()).toMatch(/quorum/);
  });

  it('catches an edge no event backs', () => {
    const t = copy();
    t.edges.push({ kind: 'madeFrom', from: jar, to: item(gtin.tomato, 'invented') });
    expect(verifyTrace(t, keys).failures.join()).toMatch(/no event behind it/);
  });
});
