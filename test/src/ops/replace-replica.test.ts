import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultChains } from '@suyuan/cloud/ledger/config';
import { actor, register, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import { generateKeyPair, type Payload, publicKeyToText, savePrivateKey, toBase64Url } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster, waitUntil } from '../cluster/harness.ts';

/**
 * Replacing a replica, with real processes (docs/operations.md "Replacing or adding a replica"):
 * 1. replica 3 dies and comes back on a fresh, empty data dir (a new host) with its old id and key:
 *    it catches up by state transfer past checkpoints it never saw and agrees block for block;
 * 2. replica 3 comes back with a NEW key under its old id (its own config names the new key): the
 *    others refuse its handshake (different cluster: the replica set id covers every public key), it
 *    gets nothing, and the other three keep committing. A key change is a membership change, which
 *    needs a new cluster configuration on every replica (not supported online; see the docs).
 */

const consensus = { checkpointInterval: 4, watermarkWindow: 16, batchRequestsMax: 8, retransmitTicks: 20 };
/** Submissions while replica 3 is down: past two checkpoints, so the others truncate their logs. */
const submissionsWhileDown = 9;

let cluster: LocalCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

describe('replacing a replica', { timeout: 240_000 }, () => {
  it('fresh data dir with the same id and key catches up; a new key under the old id is refused', async () => {
    const c = await LocalCluster.create({ n: 4, consensus });
    cluster = c;
    const admin = actor('admin');
    const ledgerConfig = JSON.stringify({
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    });
    const freshDataDir = (i: number) => {
      const dir = join(c.dir, `data-${i}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'ledger.json'), ledgerConfig); // all a new host needs besides config + key
    };
    for (const [i, path] of c.configs.entries()) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...config, app: 'ledger' }));
      freshDataDir(i);
    }
    await c.startAll();
    const lastApplied = async (id: number) => (await c.status(id)).app.lastApplied;

    // One submission at a time to a live replica among 0-2, acknowledged (202) and then committed.
    const gateway = actor('gateway');
    let submitted = 0;
    const submit = async (payloads: Payload[], by = gateway) => {
      const request = submitBody(by, payloads, T0 + submitted);
      const body = JSON.stringify(request);
      const target = submitted % 3;
      await waitUntil(async () => {
        const res = await fetch(c.url(target, '/v1/submissions'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        return [200, 202].includes(res.status);
      }, `submission ${submitted} accepted`);
      submitted++;
      const status = c.url(target, `/v1/submissions/${by.key.keyId}/${request.submission.seq}`);
      const outcome = await waitUntil(async () => {
        const { status: s } = (await (await fetch(status)).json()) as { status: string };
        return s === 'committed' || s === 'rejected' ? s : undefined;
      }, `submission ${submitted} decided`);
      expect(outcome).toBe('committed');
    };
    /** Every listed replica at the same applied batch, at least replica 0's current one. */
    const inStep = async (ids: number[], what: string) => {
      const target = await lastApplied(0);
      await waitUntil(
        async () => {
          const applied = await Promise.all(ids.map(lastApplied));
          return applied.every((a) => a === applied[0] && a >= target);
        },
        what,
        120_000,
      );
      return target;
    };
    const readings = (): Payload[] =>
      [0, 1].map((k) => ({
        kind: 'reading',
        reading: {
          deviceId: 'probe-1',
          seq: submitted * 2 + k,
          time: T0 + submitted,
          type: 'Temperature',
          value: k,
          uom: 'CEL',
        },
      }));
    await submit([register(gateway, ['farm'])], admin);
    await submit([
      { kind: 'registry', action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId } },
    ]);
    for (let i = 0; i < 2; i++) await submit(readings());
    await inStep([0, 1, 2, 3], 'replica 3 in step before it dies');

    // 1. Replica 3's host dies; a new host gets its config and key file, and an empty data dir.
    await c.kill(3);
    freshDataDir(3);
    for (let i = 0; i < submissionsWhileDown; i++) await submit(readings());
    await c.start(3);
    for (let i = 0; i < 2; i++) await submit(readings());
    const all = [0, 1, 2, 3];
    await inStep(all, 'all four replicas at the same batch');
    const chainsOf = async (id: number) =>
      (await (await fetch(c.url(id, '/v1/chains'))).json()) as { chains: { name: string; height: number }[] };
    const views = await Promise.all(all.map(chainsOf));
    for (const v of views) expect(v).toEqual(views[0]);
    const telemetry = views[0]!.chains.find((ch) => ch.name === 'telemetry')!;
    expect(telemetry.height).toBeGreaterThanOrEqual(2 + submissionsWhileDown + 2);
    for (const { name, height } of views[0]!.chains.filter((ch) => ch.height > 0)) {
      for (const h of [1, height]) {
        const headers = await Promise.all(
          all.map(async (id) => {
            const res = await fetch(c.url(id, `/v1/chains/${name}/blocks/${h}`));
            return ((await res.json()) as { header: unknown }).header;
          }),
        );
        for (const header of headers) expect(header).toEqual(headers[0]);
      }
    }

    // 2. Replica 3 comes back with a new key under its old id: refused, it gets nothing.
    const appliedBefore = await lastApplied(3);
    await c.kill(3);
    const newKey = generateKeyPair();
    savePrivateKey(join(c.dir, 'replica-3.new.key.pem'), newKey.privateKey);
    const config3 = JSON.parse(readFileSync(c.configs[3]!, 'utf8')) as {
      keyFile: string;
      peers: { publicKey: string }[];
    };
    config3.keyFile = 'replica-3.new.key.pem';
    config3.peers[3]!.publicKey = publicKeyToText(newKey.publicKey);
    writeFileSync(c.configs[3]!, JSON.stringify(config3));
    await c.start(3);
    const logOf = (id: number) => (c.stderr.get(id) ?? []).join('');
    await waitUntil(
      () =>
        logOf(3).includes('different cluster') || logOf(0).includes('replica 3 failed to prove its identity'),
      'the handshake between replica 0 and the re-keyed replica 3 refused',
    );
    for (let i = 0; i < 2; i++) await submit(readings());
    const after = await inStep([0, 1, 2], 'the other three commit without it');
    expect(after).toBeGreaterThan(appliedBefore);
    expect(await lastApplied(3)).toBe(appliedBefore);
  });
});
