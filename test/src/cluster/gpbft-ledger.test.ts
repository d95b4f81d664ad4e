// Session 5 (issue #8, #4): the ledger on grouped PBFT, N = 8 in 2 groups, all replicas in this process.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@suyuan/cloud/api/ledger-replica-app';
import { defaultChains } from '@suyuan/cloud/ledger/config';
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
import { consensusBindings } from '@suyuan/cloud/replica/consensus-bindings';
import { keygen } from '@suyuan/cloud/replica/keygen';
import { type ReplicaNode, startReplica } from '@suyuan/cloud/replica/replica-node';
import { verifyProofs } from '@suyuan/cloud/web/verify/verify-trace';
import { receiptProblem } from '@suyuan/edge/outbox/receipt-check';
import {
  type Payload,
  type SubmissionStatus,
  toBase64Url,
  traceResponseSchema,
  verifyReceipt,
  verifyTrace,
} from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from './harness.ts';

/**
 * The multi-chain ledger as the application of a grouped-PBFT cluster (config app 'ledger', mode
 * 'gpbft'): 8 replicas in 2 groups of 4, in this process, real TCP between them. The farm-to-fork
 * scenario commits; every replica reaches the same blocks; receipts and traces carry the grouped
 * state certificate (docs/consensus.md "Ledger proofs on grouped PBFT") and verify offline from the
 * 8 public keys and the layout, and NOT without the layout or under another one.
 */
const consensus = {
  checkpointInterval: 4,
  watermarkWindow: 16,
  batchRequestsMax: 8,
  viewChangeTimeoutTicks: 300,
  viewChangeTimeoutTicksMax: 1200,
  retransmitTicks: 20,
  fetchTimeoutTicks: 30,
};

let dir = '';
const nodes = new Map<number, ReplicaNode>();
afterEach(async () => {
  await Promise.all([...nodes.values()].map((node) => node.close()));
  nodes.clear();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(id: number, path: string, body?: unknown): Promise<Response> {
  return nodes.get(id)!.http.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

describe('ledger on grouped PBFT (N=8, g=2, one process)', { timeout: 240_000 }, () => {
  it('commits farm to fork; receipts and traces verify with the grouped certificate and the layout', async () => {
    dir = mkdtempSync(join(tmpdir(), 'suyuan-gpbft-ledger-'));
    const basePort = 21_000 + (process.pid % 300) * 40;
    const { configs } = await keygen({ n: 8, outDir: dir, host: '127.0.0.1', groups: 2, basePort });
    const admin = actor('admin');
    const ledgerConfig = {
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    };
    for (const path of configs) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...config, app: 'ledger', consensus }));
      const loaded = loadReplicaConfig(path);
      mkdirSync(loaded.dataDir, { recursive: true });
      writeFileSync(join(loaded.dataDir, 'ledger.json'), JSON.stringify(ledgerConfig));
    }
    const loaded = configs.map((path) => loadReplicaConfig(path));
    for (const [id, config] of loaded.entries()) nodes.set(id, await startReplica(config, consensusBindings));
    const keys = loaded[0]!.replicaPublicKeys;
    const groups = loaded[0]!.layout!.groups;
    expect(groups.map((members) => members.length)).toEqual([4, 4]);
    const ids = [...nodes.keys()];

    async function submit(
      who: ReturnType<typeof actor>,
      payloads: Payload[],
      via: number,
    ): Promise<SubmissionStatus> {
      const body = submitBody(who, payloads, T0);
      const res = await call(via, '/v1/submissions', body);
      expect([200, 202]).toContain(res.status);
      const statuses = await finalOn(
        [...nodes.keys()],
        `/v1/submissions/${who.key.keyId}/${body.submission.seq}`,
      );
      return statuses.get(via)!;
    }

    /** Polls until the submission is committed or rejected on every given replica (with its receipt). */
    async function finalOn(on: number[], path: string): Promise<Map<number, SubmissionStatus>> {
      let last = new Map<number, SubmissionStatus>();
      await waitUntil(
        async () => {
          const all = await Promise.all(
            on.map(async (id) => (await (await call(id, path)).json()) as SubmissionStatus),
          );
          last = new Map(on.map((id, i) => [id, all[i]!]));
          return all.every((s) => s.status === 'committed' || s.status === 'rejected');
        },
        `${path} final on ${on.join(',')}`,
        120_000,
      );
      return last;
    }

    const farm = actor('farm-a');
    const carrier = actor('carrier');
    const processor = actor('processor');
    const shop = actor('shop');
    const registered = await submit(
      admin,
      [
        register(farm, ['farm']),
        register(carrier, ['logistics']),
        register(processor, ['processor']),
        register(shop, ['retailer']),
      ],
      0,
    );
    expect(registered).toMatchObject({ status: 'committed' });
    const box = item(gtin.tomato, 'GB1');
    const harvest = lot(gtin.tomato, 'G1');
    const sauce = lot(gtin.sauce, 'GS1');
    const jar = item(gtin.sauce, 'GJ1');
    const journey = farmToForkJourney(
      { farm, carrier, processor, shop },
      { box, harvest, pallet: sscc(43), sauce, jar, harvestKg: 200, sauceKg: 150 },
      T0,
    );
    // Submissions enter through members of both groups, representatives or not.
    for (const [i, [who, payload]] of journey.entries()) {
      const status = await submit(who, [payload], ids[i % ids.length]!);
      expect(status).toMatchObject({ status: 'committed' });
      if (status.status !== 'committed') continue;
      const certificate = status.receipt.entries[0]!.proof.block.certificate;
      expect('kind' in certificate && certificate.kind).toBe('grouped');
      expect(verifyReceipt(status.receipt, keys, groups)).toBeNull();
      expect(verifyReceipt(status.receipt, keys)).toMatch(/no trusted group layout/);
      // The gateway's own receipt check (edge) takes it with the layout from its config.
      const { submitter, seq, created, payloadCount, payloadsRoot } = status.receipt.entries[0]!.tx.signed;
      const header = { v: 1 as const, submitter, seq, created, payloadCount, payloadsRoot };
      expect(receiptProblem(status.receipt, header, keys, groups)).toBeNull();
      expect(receiptProblem(status.receipt, header, keys)).toMatch(/lacks a quorum/);
    }
    expect(await submit(farm, [events.sell(T0, [box])], 5)).toMatchObject({
      status: 'rejected',
      reason: { code: 'trace.role' },
    });

    // Every replica serves the same trace, and it verifies only with the layout it was made under.
    const traces = await Promise.all(
      ids.map(async (id) => {
        const res = await call(id, `/v1/trace/backward/${encodeURIComponent(jar)}`);
        expect(res.status).toBe(200);
        return traceResponseSchema.parse(await res.json());
      }),
    );
    const swapped = groups.map((members) => [...members]);
    [swapped[0]![0], swapped[1]![0]] = [swapped[1]![0]!, swapped[0]![0]!];
    for (const trace of traces) {
      expect(new Set(trace.nodes.map((n) => n.key))).toEqual(new Set([jar, sauce, harvest, sscc(43)]));
      expect(trace.events.map((e) => e.tx)).toEqual(traces[0]!.events.map((e) => e.tx));
      expect(verifyTrace(trace, keys, groups)).toMatchObject({ ok: true });
      expect(verifyTrace(trace, keys, swapped).ok).toBe(false);
    }
    // The consumer page's badge verifier (cloud/src/web/verify) on the jar's own history.
    const trace = traces[0]!;
    const jarNode = trace.nodes.find((n) => n.key === jar)!;
    const jarEvents = jarNode.events
      .map((i) => trace.events[i]!)
      .flatMap((e) => (e.tx.kind === 'payload' ? [{ tx: e.tx, proof: e.proof }] : []));
    expect(jarEvents.length).toBe(jarNode.events.length);
    const doc = { v: 1 as const, chains: [{ key: jar, events: jarEvents }] };
    expect(verifyProofs(doc, keys, groups)).toMatchObject({ ok: true, failures: [] });
    expect(verifyProofs(doc, keys).failures[0]).toMatchObject({ check: 'certificate' });
    const status = (await (await call(7, '/v1/status')).json()) as { mode: string; app: { app: string } };
    expect(status).toMatchObject({ mode: 'gpbft', app: { app: 'ledger' } });
    const metrics = await (await call(3, '/metrics')).text();
    expect(metrics).toMatch(/suyuan_ledger_chain_height\{chain="trace"\} [1-9]/);
    expect(metrics).toMatch(/suyuan_replica_committed_batches_total [1-9]/);

    // A member that was down while its representative sent a certificate still gets it after its
    // restart, so it proves (and answers receipts for) what it missed. Here the transport's send
    // queue delivers it on reconnect; when that is gone (the sender restarted, the queue overflowed)
    // peers serve it with the decisions it fetches (node-inbound.ts, fetchDecisions) - that path is
    // not what this test exercises (it passes with it disabled).
    const roles = await Promise.all(
      ids.map(async (id) => (await (await call(id, '/v1/status')).json()) as { isRepresentative: boolean }),
    );
    const down = ids.find((id) => groups[1]!.includes(id) && !roles[id]!.isRepresentative)!;
    await nodes.get(down)!.close();
    nodes.delete(down);
    const late = actor('late-farm');
    const missed = submitBody(admin, [register(late, ['farm'])], T0);
    expect([200, 202]).toContain((await call(0, '/v1/submissions', missed)).status);
    const missedPath = `/v1/submissions/${admin.key.keyId}/${missed.submission.seq}`;
    await finalOn([...nodes.keys()], missedPath);
    nodes.set(down, await startReplica(loaded[down]!, consensusBindings));
    const caughtUp = (await finalOn([down], missedPath)).get(down)!;
    expect(caughtUp).toMatchObject({ status: 'committed' });
    if (caughtUp.status === 'committed') expect(verifyReceipt(caughtUp.receipt, keys, groups)).toBeNull();
  });
});
