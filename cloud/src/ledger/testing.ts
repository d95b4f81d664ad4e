import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalBytes,
  type Ed25519KeyPair,
  generateKeyPair,
  type JsonValue,
  type ParticipantRole,
  type Payload,
  type SubmitRequest,
  signSubmission,
  toBase64Url,
  withCheckDigit,
} from '@suyuan/shared';
import type { ClientRequest } from '../consensus/types.ts';
import { defaultChains, type LedgerConfigInput, parseLedgerConfig } from './config.ts';
import { LedgerMachine } from './ledger-machine.ts';
import { LocalOrderer } from './local-orderer.ts';

/**
 * Test fixtures for the ledger: a single-replica ledger in a temp dir, signed submissions, and
 * EPCIS 2.0 event builders for the farm-to-fork steps. Used by unit tests here and by test/src.
 */

export const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);

export const gtin = {
  tomato: withCheckDigit('0061414112345'),
  sauce: withCheckDigit('0061414154321'),
};
export const item = (g: string, serial: string) => `https://id.gs1.org/01/${g}/21/${serial}`;
export const lot = (g: string, l: string) => `https://id.gs1.org/01/${g}/10/${l}`;
export const sscc = (n: number) =>
  `https://id.gs1.org/00/${withCheckDigit(`00614141${String(n).padStart(9, '0')}`)}`;

export interface Actor {
  id: string;
  key: Ed25519KeyPair;
  seq: number;
}

/** A participant with its own key; ids are URIs (`urn:suyuan:party:<name>`), as EPCIS destinations must be. */
export function actor(name: string): Actor {
  return { id: `urn:suyuan:party:${name}`, key: generateKeyPair(), seq: 0 };
}

export function submitBody(who: Actor, payloads: Payload[], created: number, seq?: number): SubmitRequest {
  const s = seq ?? ++who.seq;
  const submission = signSubmission(
    { submitter: who.key.keyId, seq: s, created, payloads: payloads as JsonValue[] },
    who.key.privateKey,
  );
  return { publicKey: toBase64Url(who.key.publicKey), submission } as SubmitRequest;
}

export function clientRequest(body: SubmitRequest): ClientRequest {
  return { submitter: body.submission.submitter, seq: body.submission.seq, body: canonicalBytes(body) };
}

export function register(who: Actor, roles: ParticipantRole[]): Payload {
  return {
    kind: 'registry',
    action: {
      type: 'registerParticipant',
      participant: { id: who.id, name: who.id, roles, publicKey: toBase64Url(who.key.publicKey) },
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const ev = (event: Record<string, unknown>): Payload =>
  ({ kind: 'event', event: { eventTimeZoneOffset: '+08:00', ...event } }) as unknown as Payload;

export const events = {
  commission: (at: number, epcs: string[]) =>
    ev({ type: 'ObjectEvent', eventTime: iso(at), action: 'ADD', bizStep: 'commissioning', epcList: epcs }),
  harvest: (at: number, lotId: string, kg: number) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'ADD',
      bizStep: 'https://suyuan.example/voc/bizstep/harvesting',
      quantityList: [{ epcClass: lotId, quantity: kg, uom: 'KGM' }],
    }),
  pack: (at: number, parent: string, children: string[], lots: { id: string; kg: number }[] = []) =>
    ev({
      type: 'AggregationEvent',
      eventTime: iso(at),
      action: 'ADD',
      bizStep: 'packing',
      parentID: parent,
      childEPCs: children,
      childQuantityList: lots.map((l) => ({ epcClass: l.id, quantity: l.kg, uom: 'KGM' })),
    }),
  ship: (at: number, epcs: string[], to?: string) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
      epcList: epcs,
      ...(to ? { destinationList: [{ type: 'owning_party', destination: to }] } : {}),
    }),
  receive: (at: number, epcs: string[]) =>
    ev({ type: 'ObjectEvent', eventTime: iso(at), action: 'OBSERVE', bizStep: 'receiving', epcList: epcs }),
  transform: (at: number, inputs: { id: string; kg: number }[], outputs: { id: string; kg: number }[]) =>
    ev({
      type: 'TransformationEvent',
      eventTime: iso(at),
      bizStep: 'https://ref.gs1.org/cbv/BizStep-commissioning',
      inputQuantityList: inputs.map((l) => ({ epcClass: l.id, quantity: l.kg, uom: 'KGM' })),
      outputQuantityList: outputs.map((l) => ({ epcClass: l.id, quantity: l.kg, uom: 'KGM' })),
    }),
  transformItems: (at: number, inputs: { id: string; kg: number }[], outputs: string[]) =>
    ev({
      type: 'TransformationEvent',
      eventTime: iso(at),
      inputQuantityList: inputs.map((l) => ({ epcClass: l.id, quantity: l.kg, uom: 'KGM' })),
      outputEPCList: outputs,
    }),
  sell: (at: number, epcs: string[]) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      epcList: epcs,
    }),
  hold: (at: number, epcs: string[]) =>
    ev({ type: 'ObjectEvent', eventTime: iso(at), action: 'OBSERVE', bizStep: 'holding', epcList: epcs }),
  recall: (at: number, ids: { epcs?: string[]; lots?: string[] }) =>
    ev({
      type: 'ObjectEvent',
      eventTime: iso(at),
      action: 'OBSERVE',
      bizStep: 'holding',
      disposition: 'recalled',
      epcList: ids.epcs ?? [],
      quantityList: (ids.lots ?? []).map((l) => ({ epcClass: l })),
    }),
};

/** The parties of the farm-to-fork journey, one per role. */
export interface JourneyParties {
  farm: Actor;
  carrier: Actor;
  processor: Actor;
  shop: Actor;
}

/** Identifiers and quantities of one farm-to-fork journey; tests choose them so runs do not collide. */
export interface JourneyGoods {
  box: string;
  harvest: string;
  pallet: string;
  sauce: string;
  jar: string;
  harvestKg: number;
  sauceKg: number;
}

/**
 * Commission, harvest, pack, ship, receive, transform, ship, receive, sell: the whole chain in order,
 * each payload paired with the party that must sign it.
 */
export function farmToForkJourney(p: JourneyParties, g: JourneyGoods, t: number): [Actor, Payload][] {
  return [
    [p.farm, events.commission(t, [g.box])],
    [p.farm, events.harvest(t, g.harvest, g.harvestKg)],
    [p.farm, events.pack(t, g.pallet, [g.box], [{ id: g.harvest, kg: g.harvestKg }])],
    [p.carrier, events.ship(t, [g.pallet], p.processor.id)],
    [p.processor, events.receive(t, [g.pallet])],
    [
      p.processor,
      events.transform(t, [{ id: g.harvest, kg: g.harvestKg }], [{ id: g.sauce, kg: g.sauceKg }]),
    ],
    [p.processor, events.transformItems(t, [{ id: g.sauce, kg: 0.5 }], [g.jar])],
    [p.carrier, events.ship(t, [g.jar], p.shop.id)],
    [p.shop, events.receive(t, [g.jar])],
    [p.shop, events.sell(t, [g.jar])],
  ];
}

export interface LedgerFixture {
  dir: string;
  machine: LedgerMachine;
  orderer: LocalOrderer;
  admin: Actor;
  replicaKey: Ed25519KeyPair;
  /** Orders one submission alone in a batch and returns its outcome. */
  run(body: SubmitRequest): ReturnType<LedgerMachine['chains']['submission']>;
  cleanup(): void;
}

export function ledgerFixture(overrides: Partial<LedgerConfigInput> = {}): LedgerFixture {
  const admin = actor('admin');
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: {
      admins: [{ id: admin.id, name: 'Network admin', publicKey: toBase64Url(admin.key.publicKey) }],
    },
    ...overrides,
  });
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-ledger-'));
  const machine = new LedgerMachine(join(dir, 'ledger.sqlite'), config);
  const replicaKey = generateKeyPair();
  const orderer = new LocalOrderer(machine, replicaKey, { batchRequestsMax: 64, pendingRequestsMax: 10_000 });
  return {
    dir,
    machine,
    orderer,
    admin,
    replicaKey,
    run(body) {
      orderer.propose(clientRequest(body));
      orderer.flush();
      return machine.chains.submission(body.submission.submitter, body.submission.seq);
    },
    cleanup() {
      machine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
