import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultChains } from '@suyuan/cloud/ledger/config';
import { actor, register, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import type { BackupManifest } from '@suyuan/cloud/ops/backup';
import { type Payload, toBase64Url } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster, repoRoot, waitUntil } from '../cluster/harness.ts';

/**
 * Backup and restore of a replica with real processes: a 4-replica ledger cluster under a stream of
 * telemetry submissions; replica 3 is backed up online (`suyuan-cloud backup`) while it commits,
 * then killed with SIGKILL, its data dir destroyed, restored (`suyuan-cloud restore`) and started
 * again. It catches up by state transfer and ends with the same chains, block for block, as the
 * replicas that never stopped.
 */

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(repoRoot, 'cloud/src/cli.ts'), ...args], { cwd: repoRoot });
const consensus = { checkpointInterval: 4, watermarkWindow: 16, batchRequestsMax: 8, retransmitTicks: 20 };
/** Bound of the load loop; it stops earlier, a few submissions after the restored replica is back. */
const submissionsMax = 3000;
/** Pace of the load (a rate, not a wait): about 60 submissions/s across replicas 0-2. */
const submissionGapMs = 15;
const submissionsAfterRestart = 15;

let cluster: LocalCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

describe('replica backup and restore', { timeout: 240_000 }, () => {
  it('backs up a live replica under load; destroyed and restored, it rejoins and agrees', async () => {
    const c = await LocalCluster.create({ n: 4, consensus });
    cluster = c;
    const admin = actor('admin');
    const ledgerConfig = {
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    };
    for (const [i, path] of c.configs.entries()) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...config, app: 'ledger' }));
      mkdirSync(join(c.dir, `data-${i}`), { recursive: true });
      writeFileSync(join(c.dir, `data-${i}`, 'ledger.json'), JSON.stringify(ledgerConfig));
    }
    await c.startAll();
    const post = async (id: number, body: unknown) => {
      try {
        const res = await fetch(c.url(id, '/v1/submissions'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0; // the replica is down (killed below): another one takes it
      }
    };
    const lastApplied = async (id: number) => (await c.status(id)).app.lastApplied;

    const gateway = actor('gateway');
    const bind: Payload = {
      kind: 'registry',
      action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
    };
    expect(await post(0, submitBody(admin, [register(gateway, ['farm'])], T0))).toBe(202);
    await waitUntil(async () => (await lastApplied(0)) >= 1, 'registration committed');
    expect(await post(0, submitBody(gateway, [bind], T0))).toBe(202);
    await waitUntil(async () => (await lastApplied(0)) >= 2, 'binding committed');

    // Load: signed reading batches to replicas 0-2, one after another, bounded.
    let sent = 0;
    let stopAt = submissionsMax;
    const load = (async () => {
      for (let i = 1; i <= Math.min(stopAt, submissionsMax); i++) {
        const readings: Payload[] = [0, 1, 2, 3].map((k) => ({
          kind: 'reading',
          reading: {
            deviceId: 'probe-1',
            seq: i * 4 + k,
            time: T0 + i,
            type: 'Temperature',
            value: k,
            uom: 'CEL',
          },
        }));
        const body = submitBody(gateway, readings, T0 + i);
        for (let attempt = 0; attempt < 50 && ![200, 202].includes(await post(i % 3, body)); attempt++) {
          await new Promise((r) => setTimeout(r, 20)); // overloaded (503): back off, bounded
        }
        sent = i;
        await new Promise((r) => setTimeout(r, submissionGapMs));
      }
    })();

    await waitUntil(async () => (await lastApplied(3)) >= 6, 'replica 3 applying under load', 60_000);
    const backupDir = join(c.dir, 'backup-3');
    const { stdout } = await cli('backup', '--config', c.configs[3]!, '--out', backupDir);
    const manifest = JSON.parse(stdout) as BackupManifest;
    expect(manifest.heights.replicaLastBatch).toBeGreaterThanOrEqual(6);
    expect(manifest.heights.ledgerLastBatch).toBe(manifest.heights.replicaLastBatch); // one snapshot
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['ledger.json', 'replica.sqlite']);

    await c.kill(3);
    rmSync(join(c.dir, 'data-3'), { recursive: true, force: true });
    await expect(cli('restore', '--config', c.configs[0]!, '--from', backupDir)).rejects.toThrow(/replica 3/);
    await cli('restore', '--config', c.configs[3]!, '--from', backupDir);
    await c.start(3);
    stopAt = sent + submissionsAfterRestart;
    await load;
    expect(sent).toBeLessThan(submissionsMax); // the load ran through backup, kill and restore

    const target = await lastApplied(0);
    const all = [0, 1, 2, 3];
    await waitUntil(
      async () => {
        const applied = await Promise.all(all.map(lastApplied));
        return applied.every((a) => a === applied[0] && a >= target);
      },
      'all four replicas at the same batch',
      120_000,
    );
    const chainsOf = async (id: number) =>
      (await (await fetch(c.url(id, '/v1/chains'))).json()) as {
        chains: { name: string; height: number }[];
      };
    const views = await Promise.all(all.map(chainsOf));
    for (const v of views) expect(v).toEqual(views[0]);
    expect(views[0]!.chains.find((ch) => ch.name === 'telemetry')!.height).toBeGreaterThan(
      manifest.heights.chains.telemetry ?? 0,
    );
    for (const { name, height } of views[0]!.chains.filter((ch) => ch.height > 0)) {
      const headers = await Promise.all(
        all.map(async (id) => {
          const res = await fetch(c.url(id, `/v1/chains/${name}/blocks/${height}`));
          return ((await res.json()) as { header: unknown }).header;
        }),
      );
      for (const h of headers) expect(h).toEqual(headers[0]);
    }
  });
});
