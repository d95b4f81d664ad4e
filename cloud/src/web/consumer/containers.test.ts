import { withCheckDigit } from '@suyuan/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoWeb } from '../demo.ts';
import { buildDemoLedger, demoStartMs } from '../fixture/demo-ledger.ts';
import { hourMs } from '../fixture/demo-lots.ts';
import { demoCompanyPrefix, demoCompanyPrefixLength } from '../fixture/demo-parties.ts';
import { sgtinEpc, sgtinKey, ssccEpc, ssccKey } from '../identity.ts';
import { type ProofsDocument, verifyProofs } from '../verify/verify-trace.ts';
import { containerSpans, identityKey } from './containers.ts';
import { loadItemView } from './item-view.ts';

const cpl = demoCompanyPrefixLength;
const iso = (ms: number) => new Date(ms).toISOString();
const sscc = withCheckDigit(`0${demoCompanyPrefix}${'777000001'}`);
const later = demoStartMs + 5 * 24 * hourMs;

/**
 * The demo item rides a second pallet: packed at `later`, the pallet is shipped (on the pallet, not
 * the item), unpacked, and then shipped again without the item. Only the first shipment is the item's.
 */
function itemOnPallet() {
  const demo = buildDemoLedger({ itemCount: 50 });
  const { gtin, serial } = demo.demoItem;
  const item = sgtinEpc(gtin, serial, cpl);
  const pallet = ssccEpc(sscc, cpl);
  const packer = demo.cast.packhouse.submitter;
  const carrier = demo.cast.carrier.submitter;
  const at = (h: number) => later + h * hourMs;
  const event = (h: number, fields: Record<string, unknown>) => ({
    eventTime: iso(at(h)),
    eventTimeZoneOffset: '+08:00',
    ...fields,
  });
  const aggregate = (h: number, action: 'ADD' | 'DELETE') =>
    event(h, { type: 'AggregationEvent', action, bizStep: 'packing', parentID: pallet, childEPCs: [item] });
  const move = (h: number, bizStep: string) =>
    event(h, { type: 'ObjectEvent', action: 'OBSERVE', bizStep, epcList: [pallet] });
  demo.ledger.recordEvent(packer, aggregate(0, 'ADD'), at(0));
  demo.ledger.recordEvent(carrier, move(1, 'shipping'), at(1));
  demo.ledger.recordEvent(packer, aggregate(2, 'DELETE'), at(2));
  demo.ledger.recordEvent(carrier, move(3, 'departing'), at(3));
  demo.ledger.seal();
  return { demo, gtin, serial, at };
}

let scenario: ReturnType<typeof itemOnPallet>;
beforeAll(() => {
  scenario = itemOnPallet();
}, 60_000);

describe('containers an item rode in', () => {
  it('keys EPC URIs and Digital Links alike, and refuses what names nothing', () => {
    expect(identityKey(ssccEpc(sscc, cpl))).toBe(ssccKey(sscc));
    expect(identityKey(`https://example.com/00/${sscc}`)).toBe(ssccKey(sscc));
    expect(identityKey('urn:epc:id:sscc:not-one')).toBeNull();
    expect(identityKey('pallet-7')).toBeNull();
  });

  it('spans an ADD to its DELETE, and an ADD with no DELETE to now', async () => {
    const { demo, gtin, serial, at } = scenario;
    const itemKey = sgtinKey(gtin, serial);
    const spans = containerSpans(itemKey, await demo.readModel.eventsFor(itemKey));
    const second = spans.find((s) => s.key === ssccKey(sscc));
    expect(second).toEqual({ key: ssccKey(sscc), fromMs: at(0), toMs: at(2) });
    // The fixture's first pallet is never unpacked: the item is still on it.
    expect(spans.filter((s) => s.toMs === Number.POSITIVE_INFINITY)).toHaveLength(1);
  });

  it("puts the pallet's shipment inside the span on the item's journey, and not the one after", async () => {
    const { demo, gtin, serial, at } = scenario;
    const view = await loadItemView(demo.readModel, gtin, { serial }, later + 30 * 24 * hourMs);
    const shipped = view?.steps.filter((s) => s.step === 'shipping').map((s) => s.time);
    expect(shipped).toContain(at(1));
    expect(view?.steps.some((s) => s.step === 'departing')).toBe(false);
  });

  it("serves the pallet's chain with the item's proofs, and it verifies", async () => {
    const web = await createDemoWeb({ itemCount: 50 });
    const { gtin, serial } = web.demo.demoItem;
    const res = await web.app.request(`/proofs/01/${gtin}/21/${serial}`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as ProofsDocument;
    const palletChains = doc.chains.filter((c) => c.key.includes('/00/'));
    expect(palletChains.length).toBeGreaterThan(0);
    const keys = web.demo.replicas.map((r) => r.publicKey);
    const result = verifyProofs(doc, keys);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
