import { ManualClock } from '@suyuan/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLedgerApiLimits, LedgerReader } from '../api/ledger-node.ts';
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
} from '../ledger/testing.ts';
import { createWebApp } from './app.tsx';
import { ledgerReadModel, type WebCatalog } from './ledger-adapter.ts';
import type { ReadModel } from './read-model.ts';
import { defaultCloneSettings } from './scans/clone-heuristics.ts';
import { ScanCounter } from './scans/scan-counter.ts';
import { type ProofsDocument, verifyProofs } from './verify/verify-trace.ts';

/** The pages over the real ledger (cloud/src/ledger), farm to fork as the ledger's own test runs it. */

let fx: LedgerFixture;
let model: ReadModel;
const farm = actor('farm-a');
const carrier = actor('carrier');
const processor = actor('processor');
const shop = actor('shop');
const harvestLot = lot(gtin.tomato, 'L1');
const sauceLot = lot(gtin.sauce, 'S1');
const jar = item(gtin.sauce, 'J1');

const catalog: WebCatalog = {
  products: [
    {
      gtin: gtin.tomato,
      name: { zh: '番茄', en: 'Tomatoes' },
      companyPrefixLength: 7,
      coldChain: { minC: 0, maxC: 12, excursionMinutesMax: 60 },
    },
    {
      gtin: gtin.sauce,
      name: { zh: '番茄酱', en: 'Tomato sauce' },
      companyPrefixLength: 7,
      coldChain: { minC: 0, maxC: 30, excursionMinutesMax: 240 },
    },
  ],
  lotOrigin: () => ({
    farmId: farm.id,
    plot: {
      sgln: 'urn:epc:id:sgln:0614141.00001.1',
      name: { zh: '一号田', en: 'Field 1' },
      region: 'CN-SD',
      deviceIds: [],
    },
  }),
  regionOf: (id) => (id === shop.id ? 'CN-SH' : null),
  deviceKind: () => 'soil',
};

beforeAll(() => {
  fx = ledgerFixture();
  fx.run(
    submitBody(
      fx.admin,
      [
        register(farm, ['farm']),
        register(carrier, ['logistics']),
        register(processor, ['processor']),
        register(shop, ['retailer']),
      ],
      T0,
    ),
  );
  const box = item(gtin.tomato, 'BOX1');
  const pallet = sscc(1);
  const steps: [typeof farm, ReturnType<typeof events.commission>][] = [
    [farm, events.commission(T0, [box])],
    [farm, events.harvest(T0, harvestLot, 100)],
    [farm, events.pack(T0, pallet, [box], [{ id: harvestLot, kg: 100 }])],
    [carrier, events.ship(T0, [pallet], processor.id)],
    [processor, events.receive(T0, [pallet])],
    [processor, events.transform(T0, [{ id: harvestLot, kg: 100 }], [{ id: sauceLot, kg: 80 }])],
    [processor, events.transformItems(T0, [{ id: sauceLot, kg: 1 }], [jar])],
    [carrier, events.ship(T0, [jar], shop.id)],
    [shop, events.receive(T0, [jar])],
  ];
  for (const [who, payload] of steps)
    expect(fx.run(submitBody(who, [payload], T0))?.status).toBe('committed');
  const node = {
    machine: fx.machine,
    propose: (r: Parameters<typeof fx.orderer.propose>[0]) => fx.orderer.propose(r),
    replicaPublicKeys: fx.orderer.replicaPublicKeys,
  };
  model = ledgerReadModel(new LedgerReader(node, defaultLedgerApiLimits), catalog);
});
afterAll(() => fx?.cleanup());

describe('ledgerReadModel over cloud/src/ledger', () => {
  it('finds items, lots, edges, participants and chain heads', async () => {
    expect(await model.item(gtin.sauce, 'J1')).toMatchObject({
      lot: 'S1',
      holderId: shop.id,
      lastShipmentRegion: 'CN-SH',
    });
    expect(await model.lot(gtin.sauce, 'S1')).toMatchObject({
      key: sauceLot,
      farmId: farm.id,
      status: 'active',
    });
    expect(await model.parents(sauceLot)).toEqual([harvestLot]);
    expect(await model.children(harvestLot)).toContain(sauceLot);
    expect((await model.participants()).map((p) => p.id)).toEqual(expect.arrayContaining([farm.id, shop.id]));
    const status = await model.networkStatus();
    expect(status.chains.find((c) => c.chain === 'trace')?.height).toBeGreaterThan(0);
    const [newest] = await model.blocks('trace', 1);
    expect((await model.block('trace', newest!.header.height))?.txs.length).toBe(newest!.header.txCount);
  });

  it('serves the consumer page and proofs that the page verifier accepts', async () => {
    const clock = new ManualClock(T0 + 86_400_000);
    const app = createWebApp({
      model,
      clock,
      publicBase: 'http://127.0.0.1',
      scans: new ScanCounter(clock, defaultCloneSettings),
      regionHeader: 'x-suyuan-region',
      regulatorKey: null,
    });
    const page = await app.request(`/01/${gtin.sauce}/21/J1?lang=en`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tomato sauce');
    const doc = (await (await app.request(`/proofs/01/${gtin.sauce}/21/J1`)).json()) as ProofsDocument;
    expect(doc.chains.map((c) => c.events.length)).toEqual([3, 2]);
    expect(verifyProofs(doc, model.replicaPublicKeys())).toMatchObject({ ok: true, failures: [] });
    expect(verifyProofs(doc, [fx.admin.key.publicKey]).ok).toBe(false);
  });
});
