import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSingleReplica, type SingleReplica } from '@suyuan/cloud/api/single-replica';
import { defaultChains, parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import {
  actor,
  farmToForkJourney,
  gtin,
  item,
  lot,
  register,
  sscc,
  submitBody,
  T0,
} from '@suyuan/cloud/ledger/testing';
import {
  epcUriToDigitalLink,
  generateKeyPair,
  type Payload,
  type SubmissionStatus,
  type TraceResponse,
  toBase64Url,
  traceResponseSchema,
  verifyReceipt,
  verifyTrace,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The farm-to-fork scenario through the /v1 API in single-replica mode: registry set-up, commission,
 * harvest, pack, ship, receive, transform, sell; then backward and forward traces whose proofs
 * verify offline, and a tampered SQLite file that verification catches.
 */

let dir: string;
let node: SingleReplica;
const admin = actor('admin');
const replicaKey = generateKeyPair();

function reopen(): SingleReplica {
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  });
  return createSingleReplica({ path: join(dir, 'ledger.sqlite'), config, key: replicaKey, schedule: null });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-api-'));
  node = reopen();
});
afterEach(() => {
  node.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown): Promise<Response> {
  return node.app.request('/v1/submissions', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

async function submit(who: ReturnType<typeof actor>, payloads: Payload[]): Promise<SubmissionStatus> {
  const body = submitBody(who, payloads, T0);
  const res = await post(body);
  expect(res.status).toBe(202);
  node.orderer.flush();
  const status = await node.app.request(`/v1/submissions/${who.key.keyId}/${body.submission.seq}`);
  return (await status.json()) as SubmissionStatus;
}

async function trace(direction: string, id: string): Promise<TraceResponse> {
  const res = await node.app.request(`/v1/trace/${direction}/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  return traceResponseSchema.parse(await res.json());
}

describe('farm to fork through the API (single replica)', () => {
  it('records the journey and serves traces that verify offline', async () => {
    const farm = actor('farm-a');
    const carrier = actor('carrier');
    const processor = actor('processor');
    const shop = actor('shop');
    const setup = await submit(admin, [
      register(farm, ['farm']),
      register(carrier, ['logistics']),
      register(processor, ['processor']),
      register(shop, ['retailer']),
    ]);
    expect(setup.status).toBe('committed');

    const box = 'urn:epc:id:sgtin:0614141.012345.BOX1';
    const boxLink = epcUriToDigitalLink(box);
    const harvest = lot(gtin.tomato, 'L1');
    const pallet = sscc(7);
    const sauce = lot(gtin.sauce, 'S1');
    const jar = item(gtin.sauce, 'J1');
    const t = T0;
    const journey = farmToForkJourney(
      { farm, carrier, processor, shop },
      { box, harvest, pallet, sauce, jar, harvestKg: 120, sauceKg: 100 },
      t,
    );
    for (const [who, payload] of journey) {
      const status = await submit(who, [payload]);
      expect(status).toMatchObject({ status: 'committed' });
      if (status.status === 'committed')
        expect(verifyReceipt(status.receipt, [replicaKey.publicKey])).toBeNull();
    }

    const back = await trace('backward', jar);
    expect(new Set(back.nodes.map((n) => n.key))).toEqual(new Set([jar, sauce, harvest, pallet]));
    expect(back.edges).toContainEqual({ kind: 'madeFrom', from: jar, to: sauce });
    expect(back.edges).toContainEqual({ kind: 'madeFrom', from: sauce, to: harvest });
    expect(verifyTrace(back, [replicaKey.publicKey])).toMatchObject({ ok: true });

    const fwd = await trace('forward', harvest);
    expect(new Set(fwd.nodes.map((n) => n.key))).toEqual(new Set([harvest, pallet, sauce, jar]));
    expect(fwd.nodes.find((n) => n.key === jar)).toMatchObject({ holder: shop.id, status: 'sold' });
    expect(verifyTrace(fwd, [replicaKey.publicKey]).ok).toBe(true);

    // The same item by EPC URI and by Digital Link.
    const byEpc = await trace('backward', box);
    const byLink = await trace('backward', boxLink);
    expect(byEpc).toEqual(byLink);
    expect(byEpc.nodes.map((n) => n.key)).toContain(pallet);

    // Tampering with the SQLite file: the served trace no longer verifies.
    // (Through a second connection to the file, as an attacker with disk access would.)
    node.close();
    node = reopen();
    const db = node.machine.db;
    const row = db
      .prepare("SELECT chain, height, idx, tx FROM txs WHERE tx LIKE '%retail_selling%'")
      .get() as {
      chain: string;
      height: number;
      idx: number;
      tx: string;
    };
    db.prepare('UPDATE txs SET tx = ? WHERE chain = ? AND height = ? AND idx = ?').run(
      row.tx.replace('retail_selling', 'destroying'),
      row.chain,
      row.height,
      row.idx,
    );
    const tampered = await trace('backward', jar);
    const verdict = verifyTrace(tampered, [replicaKey.publicKey]);
    expect(verdict.ok).toBe(false);
    expect(verdict.failures.join('\n')).toMatch(/txRoot/);
  });
});
