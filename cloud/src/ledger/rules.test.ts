import type { Payload } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Actor,
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

/** Every validation rule, accepted and rejected, through the state machine (one batch per submission). */

let fx: LedgerFixture;
let farm: Actor;
let farmB: Actor;
let carrier: Actor;
let processor: Actor;
let shop: Actor;
let regulator: Actor;

beforeEach(() => {
  fx = ledgerFixture();
  farm = actor('farm-a');
  farmB = actor('farm-b');
  carrier = actor('carrier');
  processor = actor('processor');
  shop = actor('shop');
  regulator = actor('regulator');
  const setup = fx.run(
    submitBody(
      fx.admin,
      [
        register(farm, ['farm']),
        register(farmB, ['farm']),
        register(carrier, ['logistics']),
        register(processor, ['processor']),
        register(shop, ['retailer']),
        register(regulator, ['regulator']),
      ],
      T0,
    ),
  );
  expect(setup?.status).toBe('committed');
});
afterEach(() => fx.cleanup());

function run(who: Actor, payloads: Payload[], created = T0) {
  return fx.run(submitBody(who, payloads, created));
}
function ok(who: Actor, payloads: Payload[]) {
  const outcome = run(who, payloads);
  expect(outcome?.reason ?? null).toBeNull();
  expect(outcome?.status).toBe('committed');
}
function rejected(who: Actor, payloads: Payload[], code: string) {
  const outcome = run(who, payloads);
  expect(outcome?.status).toBe('rejected');
  expect(outcome?.reason?.code).toBe(code);
}

const box = item(gtin.tomato, 'B1');
const box2 = item(gtin.tomato, 'B2');
const harvest = lot(gtin.tomato, 'H1');
const pallet = sscc(1);
const sauce = lot(gtin.sauce, 'S1');

describe('submission checks', () => {
  it('rejects a forged signature', () => {
    const body = submitBody(farm, [events.commission(T0, [box])], T0);
    (body.submission.payloads[0] as unknown as { event: { epcList: string[] } }).event.epcList = [box2];
    expect(fx.run(body)?.reason?.code).toBe('submission.badSignature');
    expect(fx.machine.state.item(box2)).toBeUndefined();
  });

  it('rejects a public key that is not the submitter', () => {
    const body = submitBody(farm, [events.commission(T0, [box])], T0);
    body.publicKey = submitBody(farmB, [events.commission(T0, [box])], T0).publicKey;
    expect(fx.run(body)?.reason?.code).toBe('submission.keyMismatch');
  });

  it('executes a (submitter, seq) once: a replay with another body changes nothing', () => {
    ok(farm, [events.commission(T0, [box])]);
    const replay = submitBody(farm, [events.commission(T0, [box2])], T0, farm.seq);
    expect(fx.run(replay)?.status).toBe('committed'); // the first outcome stands
    expect(fx.machine.state.item(box2)).toBeUndefined();
    const heightBefore = fx.machine.chains.head('trace')?.height;
    fx.run(submitBody(farm, [events.commission(T0, [box])], T0, farm.seq));
    expect(fx.machine.chains.head('trace')?.height).toBe(heightBefore);
  });

  it('rejects an unregistered key and a revoked key', () => {
    rejected(actor('stranger'), [events.commission(T0, [box])], 'submission.unregistered');
    ok(fx.admin, [
      { kind: 'registry', action: { type: 'revokeKey', keyId: farm.key.keyId, reason: 'stolen' } },
    ]);
    rejected(farm, [events.commission(T0, [box])], 'submission.revoked');
  });

  it('rejects a submission created too far from the block time', () => {
    expect(run(farm, [events.commission(T0 + 3_600_000, [box])], T0 + 3_600_000)?.status).toBe('committed');
    // The last block time is now T0 + 1 h (created times only move it forward).
    rejected(farm, [events.commission(T0, [box2])], 'submission.skew');
  });
});

describe('registry rules', () => {
  it('lets only administrators register and set roles', () => {
    rejected(farm, [register(actor('x'), ['farm'])], 'registry.notAdmin');
    rejected(
      farm,
      [{ kind: 'registry', action: { type: 'setRoles', participantId: farm.id, roles: ['retailer'] } }],
      'registry.notAdmin',
    );
    rejected(fx.admin, [register({ ...actor('y'), id: farm.id }, ['farm'])], 'registry.exists');
  });

  it('lets a participant add its own keys and bind devices to its own gateways only', () => {
    const gateway = actor('gw');
    const publicKey = Buffer.from(gateway.key.publicKey).toString('base64url');
    ok(farm, [{ kind: 'registry', action: { type: 'addKey', participantId: farm.id, publicKey } }]);
    rejected(
      farmB,
      [{ kind: 'registry', action: { type: 'addKey', participantId: farm.id, publicKey } }],
      'registry.notOwner',
    );
    rejected(
      farmB,
      [{ kind: 'registry', action: { type: 'bindDevice', deviceId: 'd1', gateway: gateway.key.keyId } }],
      'registry.notOwner',
    );
    ok(farm, [
      { kind: 'registry', action: { type: 'bindDevice', deviceId: 'd1', gateway: gateway.key.keyId } },
    ]);
    expect(fx.machine.state.deviceGateway('d1')).toBe(gateway.key.keyId);
  });
});

describe('trace rules', () => {
  it('lets a farm commission, once', () => {
    rejected(carrier, [events.commission(T0, [box])], 'trace.role');
    ok(farm, [events.commission(T0, [box])]);
    rejected(farmB, [events.commission(T0, [box])], 'trace.alreadyCommissioned');
  });

  it('refuses events for uncommissioned items', () => {
    rejected(carrier, [events.ship(T0, [box])], 'trace.unknownItem');
    rejected(shop, [events.sell(T0, [box])], 'trace.unknownItem');
  });

  it("refuses another farm's items and lots", () => {
    ok(farm, [events.commission(T0, [box]), events.harvest(T0, harvest, 50)]);
    rejected(farmB, [events.harvest(T0, harvest, 10)], 'trace.notOwner');
    rejected(farmB, [events.pack(T0, pallet, [box])], 'trace.notHolder');
  });

  it('checks packing: children exist and are not packed elsewhere', () => {
    ok(farm, [events.commission(T0, [box, box2])]);
    rejected(farm, [events.pack(T0, pallet, [box, item(gtin.tomato, 'missing')])], 'trace.missingChild');
    ok(farm, [events.pack(T0, pallet, [box])]);
    rejected(farm, [events.pack(T0, sscc(2), [box])], 'trace.packedElsewhere');
    rejected(carrier, [events.ship(T0, [box])], 'trace.packed');
  });

  it('matches receipts to shipments and their named receiver', () => {
    ok(farm, [events.commission(T0, [box])]);
    rejected(processor, [events.receive(T0, [box])], 'trace.noShipment');
    ok(carrier, [events.ship(T0, [box], processor.id)]);
    rejected(carrier, [events.ship(T0, [box])], 'trace.inTransit');
    rejected(shop, [events.receive(T0, [box])], 'trace.wrongReceiver');
    ok(processor, [events.receive(T0, [box])]);
    expect(fx.machine.state.item(box)).toMatchObject({ holder: processor.id, transit: null });
  });

  it('keeps roles: retailers sell, processors transform, regulators recall', () => {
    ok(farm, [events.commission(T0, [box]), events.harvest(T0, harvest, 10)]);
    rejected(farm, [events.sell(T0, [box])], 'trace.role');
    rejected(shop, [events.ship(T0, [box])], 'trace.role');
    rejected(carrier, [events.transform(T0, [{ id: harvest, kg: 1 }], [{ id: sauce, kg: 1 }])], 'trace.role');
    rejected(farm, [events.recall(T0, { epcs: [box] })], 'trace.role');
    rejected(shop, [events.sell(T0, [box])], 'trace.notHolder');
  });

  it('stops shipping and selling after a hold or a recall, including what was made from it', () => {
    ok(farm, [events.commission(T0, [box, box2]), events.harvest(T0, harvest, 100)]);
    ok(regulator, [events.hold(T0, [box2])]);
    rejected(carrier, [events.ship(T0, [box2])], 'trace.held');
    ok(carrier, [events.ship(T0, [harvest], processor.id)]);
    ok(processor, [events.receive(T0, [harvest])]);
    ok(processor, [events.transform(T0, [{ id: harvest, kg: 40 }], [{ id: sauce, kg: 30 }])]);
    ok(regulator, [events.recall(T0, { lots: [harvest] })]);
    expect(fx.machine.state.item(sauce)?.status).toBe('recalled');
    rejected(carrier, [events.ship(T0, [sauce])], 'trace.recalled');
    rejected(carrier, [events.ship(T0, [harvest])], 'trace.recalled');
  });

  it('refuses selling after a recall', () => {
    ok(farm, [events.commission(T0, [box])]);
    ok(carrier, [events.ship(T0, [box], shop.id)]);
    ok(shop, [events.receive(T0, [box])]);
    ok(regulator, [events.recall(T0, { epcs: [box] })]);
    rejected(shop, [events.sell(T0, [box])], 'trace.recalled');
  });

  it('balances mass in a transformation within the tolerance', () => {
    ok(farm, [events.harvest(T0, harvest, 100)]);
    ok(carrier, [events.ship(T0, [harvest], processor.id)]);
    ok(processor, [events.receive(T0, [harvest])]);
    rejected(
      processor,
      [events.transform(T0, [{ id: harvest, kg: 50 }], [{ id: sauce, kg: 60 }])],
      'trace.massBalance',
    );
    rejected(
      processor,
      [events.transform(T0, [{ id: harvest, kg: 150 }], [{ id: sauce, kg: 100 }])],
      'trace.overdrawn',
    );
    ok(processor, [events.transform(T0, [{ id: harvest, kg: 50 }], [{ id: sauce, kg: 51 }])]); // +2%
    expect(fx.machine.state.item(harvest)?.quantity).toBe(50);
  });

  it('refuses events from the future and is all-or-nothing per submission', () => {
    rejected(farm, [events.commission(T0 + 3_600_000, [box])], 'trace.future');
    const outcome = run(farm, [events.commission(T0, [box]), events.ship(T0, [box2])]);
    expect(outcome?.reason).toMatchObject({ code: 'trace.unknownItem', payloadIndex: 1 });
    expect(fx.machine.state.item(box)).toBeUndefined();
  });

  it('validates events against the EPCIS 2.0 model', () => {
    const bad = { kind: 'event', event: { type: 'ObjectEvent', eventTime: 'yesterday', action: 'ADD' } };
    rejected(farm, [bad as unknown as Payload], 'event.invalid');
    const notAnItem = events.commission(T0, ['urn:epc:id:sgln:0614141.00001.0']);
    rejected(farm, [notAnItem], 'event.badIdentity');
  });

  it('links each event to the previous event of every item it touches', () => {
    ok(farm, [events.commission(T0, [box])]);
    ok(farm, [events.pack(T0, pallet, [box])]);
    const first = fx.machine.chains.tx('trace', 1, 0)!;
    const second = fx.machine.chains.tx('trace', 2, 0)!;
    expect(first.kind === 'payload' && first.links).toEqual([{ item: box, prev: null }]);
    expect(second.kind === 'payload' && second.links).toEqual([
      { item: pallet, prev: null },
      { item: box, prev: expect.objectContaining({ chain: 'trace', height: 1, index: 0 }) },
    ]);
  });
});

describe('telemetry rules', () => {
  const reading = (deviceId: string, seq: number): Payload => ({
    kind: 'reading',
    reading: { deviceId, seq, time: T0, type: 'Temperature', value: 4.5, uom: 'CEL' },
  });

  it('accepts readings from bound devices and records sequence gaps', () => {
    ok(farm, [
      { kind: 'registry', action: { type: 'bindDevice', deviceId: 'probe-1', gateway: farm.key.keyId } },
    ]);
    ok(farm, [reading('probe-1', 1), reading('probe-1', 2), reading('probe-1', 5)]);
    const tx = fx.machine.chains.tx('telemetry', 1, 0)!;
    expect(tx.kind === 'readingBatch' && tx.gaps).toEqual([{ deviceId: 'probe-1', after: 2, next: 5 }]);
  });

  it('rejects readings from a device bound to no gateway or another', () => {
    rejected(farm, [reading('probe-9', 1)], 'telemetry.deviceNotBound');
    ok(farmB, [
      { kind: 'registry', action: { type: 'bindDevice', deviceId: 'probe-2', gateway: farmB.key.keyId } },
    ]);
    rejected(farm, [reading('probe-2', 1)], 'telemetry.deviceNotBound');
  });

  it('rejects a submission mixing readings and events', () => {
    rejected(farm, [reading('probe-1', 1), events.commission(T0, [box])], 'submission.malformed');
  });
});
