import { verifyReceipt, verifyTrace } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ProofBuilder } from './proofs.ts';
import {
  actor,
  events,
  gtin,
  item,
  type LedgerFixture,
  ledgerFixture,
  lot,
  register,
  sscc,
  submitBody,
  T0,
} from './testing.ts';
import { TraceQuery } from './trace-query.ts';

let fx: LedgerFixture;
afterEach(() => fx?.cleanup());

describe('ledger machine, single replica', () => {
  it('runs farm to fork and serves a trace that verifies offline', () => {
    fx = ledgerFixture();
    const farm = actor('farm-a');
    const carrier = actor('carrier');
    const processor = actor('processor');
    const shop = actor('shop');
    const t = T0;
    const setup = fx.run(
      submitBody(
        fx.admin,
        [
          register(farm, ['farm']),
          register(carrier, ['logistics']),
          register(processor, ['processor']),
          register(shop, ['retailer']),
        ],
        t,
      ),
    );
    expect(setup?.status).toBe('committed');
    const harvestLot = lot(gtin.tomato, 'L1');
    const box = item(gtin.tomato, 'BOX1');
    const pallet = sscc(1);
    const jar = item(gtin.sauce, 'J1');
    const sauceLot = lot(gtin.sauce, 'S1');
    const steps: [typeof farm, ReturnType<typeof events.commission>][] = [
      [farm, events.commission(t, [box])],
      [farm, events.harvest(t, harvestLot, 100)],
      [farm, events.pack(t, pallet, [box], [{ id: harvestLot, kg: 100 }])],
      [carrier, events.ship(t, [pallet], processor.id)],
      [processor, events.receive(t, [pallet])],
      [processor, events.transform(t, [{ id: harvestLot, kg: 100 }], [{ id: sauceLot, kg: 80 }])],
      [processor, events.transformItems(t, [{ id: sauceLot, kg: 1 }], [jar])],
      [carrier, events.ship(t, [jar], shop.id)],
      [shop, events.receive(t, [jar])],
      [shop, events.sell(t, [jar])],
    ];
    for (const [who, payload] of steps) {
      const outcome = fx.run(submitBody(who, [payload], t));
      expect(outcome?.reason ?? null).toBeNull();
      expect(outcome?.status).toBe('committed');
    }
    const proofs = new ProofBuilder(fx.machine.chains);
    const query = new TraceQuery(fx.machine.db, fx.machine.state, proofs);
    const keys = fx.orderer.replicaPublicKeys;

    const back = query.trace(jar, 'backward', 1000)!;
    expect(back.nodes.map((n) => n.key).sort()).toEqual([jar, sauceLot, harvestLot, pallet].sort());
    expect(verifyTrace(back, keys)).toMatchObject({ ok: true, failures: [] });

    const fwd = query.trace(harvestLot, 'forward', 1000)!;
    expect(fwd.nodes.map((n) => n.key).sort()).toEqual([harvestLot, pallet, sauceLot, jar].sort());
    expect(fwd.nodes.find((n) => n.key === jar)).toMatchObject({ status: 'sold', holder: shop.id });
    expect(verifyTrace(fwd, keys).ok).toBe(true);

    const receipt = proofs.receipt(shop.key.keyId, shop.seq)!;
    expect(verifyReceipt(receipt, keys)).toBeNull();
    expect(verifyTrace(back, [fx.admin.key.publicKey]).ok).toBe(false);

    // Bounded: a trace past its limits says so, and what it returns is still a verifiable prefix.
    const bounded = new TraceQuery(fx.machine.db, fx.machine.state, proofs, {
      eventsMax: 100,
      eventsPerItemMax: 2,
    });
    const cut = bounded.trace(harvestLot, 'forward', 1000)!;
    expect(cut.truncated).toBe(true);
    expect(Math.max(...cut.nodes.map((n) => n.events.length))).toBe(2);
    expect(verifyTrace(cut, keys).ok).toBe(true);
  });
});
