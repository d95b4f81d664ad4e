import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultChains, parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import {
  actor,
  events,
  farmToForkJourney,
  gtin,
  item,
  lot,
  register,
  sscc,
  submitBody,
  T0,
} from '@suyuan/cloud/ledger/testing';
import { loadReplicaConfig } from '@suyuan/cloud/replica/config';
import {
  type Payload,
  type SubmissionStatus,
  type TraceResponse,
  toBase64Url,
  traceResponseSchema,
  verifyReceipt,
  verifyTrace,
} from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster } from '../cluster/harness.ts';

/**
 * The farm-to-fork scenario on a 4-replica PBFT cluster: four `suyuan-cloud start` processes with
 * `app: 'ledger'`, real TCP between them and real HTTP to them. Traces from every replica verify
 * offline with the 4 replica keys; tampering with one replica's SQLite file is caught by
 * verification of what that replica serves and changes nothing the three honest replicas serve.
 */

const consensus = { checkpointInterval: 4, watermarkWindow: 16, batchRequestsMax: 8, retransmitTicks: 20 };
let cluster: LocalCluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

async function waitFor<T>(what: string, probe: () => Promise<T | null>, attemptsMax = 2000): Promise<T> {
  for (let i = 0; i < attemptsMax; i++) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ledger on a 4-replica cluster', { timeout: 240_000 }, () => {
  it('runs farm to fork; traces verify offline; a tampered replica is caught and changes nothing', async () => {
    const c = await LocalCluster.create({ n: 4, consensus });
    cluster = c;
    const dir = c.dir;
    const admin = actor('admin');
    const ledgerConfig = {
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    };
    for (const [i, path] of c.configs.entries()) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...config, app: 'ledger' }));
      mkdirSync(join(dir, `data-${i}`), { recursive: true });
      writeFileSync(join(dir, `data-${i}`, 'ledger.json'), JSON.stringify(ledgerConfig));
    }
    await c.startAll();
    const keys = loadReplicaConfig(c.configs[0]!).replicaPublicKeys;
    const nodes = [0, 1, 2, 3];
    const url = (i: number, path: string) => `http://127.0.0.1:${c.httpPort(i)}${path}`;

    async function submit(who: ReturnType<typeof actor>, payloads: Payload[]): Promise<SubmissionStatus> {
      const body = submitBody(who, payloads, T0);
      const codes = await Promise.all(
        nodes.map(async (_, i) => {
          const res = await fetch(url(i, '/v1/submissions'), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      expect(codes.some((c) => c === 202 || c === 200)).toBe(true);
      return waitFor(`${who.id}#${body.submission.seq}`, async () => {
        const all = await Promise.all(
          nodes.map(async (_, i) => {
            const res = await fetch(url(i, `/v1/submissions/${who.key.keyId}/${body.submission.seq}`));
            return (await res.json()) as SubmissionStatus;
          }),
        );
        return all.every((s) => s.status === 'committed' || s.status === 'rejected') ? all[0]! : null;
      });
    }

    const farm = actor('farm-a');
    const carrier = actor('carrier');
    const processor = actor('processor');
    const shop = actor('shop');
    expect(
      await submit(admin, [
        register(farm, ['farm']),
        register(carrier, ['logistics']),
        register(processor, ['processor']),
        register(shop, ['retailer']),
      ]),
    ).toMatchObject({ status: 'committed' });
    const harvest = lot(gtin.tomato, 'C1');
    const box = item(gtin.tomato, 'CB1');
    const pallet = sscc(42);
    const sauce = lot(gtin.sauce, 'CS1');
    const jar = item(gtin.sauce, 'CJ1');
    const t = T0;
    const journey = farmToForkJourney(
      { farm, carrier, processor, shop },
      { box, harvest, pallet, sauce, jar, harvestKg: 200, sauceKg: 150 },
      t,
    );
    for (const [who, payload] of journey) {
      const status = await submit(who, [payload]);
      expect(status).toMatchObject({ status: 'committed' });
      if (status.status === 'committed') expect(verifyReceipt(status.receipt, keys)).toBeNull();
    }
    // A hostile one is rejected the same way on every replica.
    expect(await submit(farm, [events.sell(t, [box])])).toMatchObject({
      status: 'rejected',
      reason: { code: 'trace.role' },
    });

    const traceFrom = async (i: number, direction: string, id: string): Promise<TraceResponse> => {
      const res = await fetch(url(i, `/v1/trace/${direction}/${encodeURIComponent(id)}`));
      expect(res.status).toBe(200);
      return traceResponseSchema.parse(await res.json());
    };
    const before = await Promise.all(nodes.map((_, i) => traceFrom(i, 'backward', jar)));
    for (const trace of before) {
      expect(new Set(trace.nodes.map((n) => n.key))).toEqual(new Set([jar, sauce, harvest, pallet]));
      expect(verifyTrace(trace, keys)).toMatchObject({ ok: true });
      expect(trace.events.map((e) => e.tx)).toEqual(before[0]!.events.map((e) => e.tx));
    }
    const forward = await traceFrom(1, 'forward', harvest);
    expect(new Set(forward.nodes.map((n) => n.key))).toEqual(new Set([harvest, pallet, sauce, jar]));
    expect(verifyTrace(forward, keys).ok).toBe(true);

    // Tamper with replica 3's SQLite file (a second connection, as someone with disk access).
    const tamperer = new LedgerMachine(
      join(dir, 'data-3', 'replica.sqlite'),
      parseLedgerConfig(ledgerConfig),
    );
    const row = tamperer.db
      .prepare("SELECT chain, height, idx, tx FROM txs WHERE tx LIKE '%retail_selling%'")
      .get() as {
      chain: string;
      height: number;
      idx: number;
      tx: string;
    };
    tamperer.db
      .prepare('UPDATE txs SET tx = ? WHERE chain = ? AND height = ? AND idx = ?')
      .run(row.tx.replace('retail_selling', 'destroying'), row.chain, row.height, row.idx);
    tamperer.close();

    const tampered = await traceFrom(3, 'backward', jar);
    expect(verifyTrace(tampered, keys).ok).toBe(false);
    for (const i of [0, 1, 2]) {
      const honest = await traceFrom(i, 'backward', jar);
      expect(honest).toEqual(before[i]);
      expect(verifyTrace(honest, keys).ok).toBe(true);
    }
  });
});
