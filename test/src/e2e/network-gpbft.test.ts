import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReplicaConfig } from '@suyuan/cloud/replica/config';
import { type TraceResponse, traceResponseSchema, verifyTrace } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, waitUntil } from '../cluster/harness.ts';

/**
 * `pnpm start --mode gpbft` (session 5): the demo on grouped PBFT with its defaults, 8 replicas in 2
 * groups (no simulated devices, to keep it to 9 processes). The demo item's trace verifies offline
 * with the replica keys and the layout (grouped state certificates), the consumer page hands its
 * badge the layout, and the gateway's outbox commits its device bindings, which it marks committed
 * only after its own receipt check passed on the grouped certificate. SIGINT stops everything.
 */
interface Urls {
  consumer: string;
  replicas: string[];
  demoItem: string;
  pids: number[];
}

let supervisor: ChildProcess | null = null;
let dataDir: string | null = null;

/** Pids of live processes whose command line names the data dir (children of the network). */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(dir) && !/\) Z /.test(stat)) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

afterEach(() => {
  if (supervisor?.pid && supervisor.exitCode === null) supervisor.kill('SIGKILL');
  supervisor = null;
  if (dataDir) {
    for (const pid of processesUsing(dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  dataDir = null;
});

/** The last lines of every process log of the network (why a replica exited, when one did). */
function logTails(dir: string): string {
  const logs = join(dir, 'logs');
  if (!existsSync(logs)) return '';
  return readdirSync(logs)
    .map((name) => `--- ${name}\n${readFileSync(join(logs, name), 'utf8').split('\n').slice(-8).join('\n')}`)
    .join('\n');
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

interface OutboxStats {
  pending: number;
  accepted: number;
  committed: number;
  dead: number;
}

/** Outbox rows by state, read from the gateway's database (WAL: readable while the gateway runs). */
function gatewayOutbox(dir: string): OutboxStats {
  const Database = createRequire(join(repoRoot, 'edge/package.json'))('better-sqlite3') as new (
    path: string,
    options: { readonly: boolean },
  ) => { prepare(sql: string): { all(): { state: string; n: number }[] }; close(): void };
  const db = new Database(join(dir, 'gateway', 'data', 'gateway.db'), { readonly: true });
  try {
    const stats: OutboxStats = { pending: 0, accepted: 0, committed: 0, dead: 0 };
    for (const { state, n } of db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all()) {
      if (state in stats) stats[state as keyof OutboxStats] = n;
    }
    return stats;
  } finally {
    db.close();
  }
}

describe('pnpm start --mode gpbft', { timeout: 320_000 }, () => {
  it('runs the demo on 8 replicas in 2 groups; trace, page badge and gateway receipts take the grouped certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-e2e-gpbft-'));
    dataDir = dir;
    const output: string[] = [];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/start.ts',
        ...['--mode', 'gpbft', '--no-devices', '--data-dir', dir, '--base-port', '0'],
        ...['--scenario-interval-ms', '200'],
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    supervisor = child;
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const urlsFile = join(dir, 'urls.json');
    const started = await waitUntil(
      () => (child.exitCode !== null ? 'exited' : existsSync(urlsFile) ? 'started' : undefined),
      'urls.json',
      250_000,
      250,
    ).catch((error: Error) => error.message);
    if (started !== 'started')
      throw new Error(`${started}\n${output.join('').slice(-3000)}\n${logTails(dir)}`);
    const urls = JSON.parse(readFileSync(urlsFile, 'utf8')) as Urls;
    expect(output.join('')).toContain('grouped PBFT, 2 groups');
    expect(urls.replicas).toHaveLength(8);
    expect(urls.pids).toHaveLength(9); // 8 replicas and the gateway
    const config = loadReplicaConfig(join(dir, 'replicas', 'replica-0.json'));
    const keys = config.replicaPublicKeys;
    const groups = config.layout!.groups;
    expect(groups.map((members) => members.length)).toEqual([4, 4]);

    const status = await getJson<{ mode: string; groups: number }>(`${urls.replicas[5]}/v1/status`);
    expect(status).toMatchObject({ mode: 'gpbft', groups: 2 });
    const trace = traceResponseSchema.parse(
      await getJson<TraceResponse>(
        `${urls.replicas[6]}/v1/trace/backward/${encodeURIComponent(urls.demoItem)}`,
      ),
    );
    expect(trace.events.length).toBeGreaterThan(0);
    expect(trace.events.every((e) => 'kind' in e.proof.block.certificate)).toBe(true);
    expect(verifyTrace(trace, keys, groups)).toMatchObject({ ok: true });
    expect(verifyTrace(trace, keys).ok).toBe(false);

    const page = await (await fetch(`${urls.consumer}?lang=en`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain(`data-replica-groups="${JSON.stringify(groups).replaceAll('"', '&quot;')}"`);

    // The gateway marks a row committed only once its receipt verified (grouped certificate, layout
    // from its config): its device bindings are such rows.
    const outbox = await waitUntil(
      () => {
        const stats = gatewayOutbox(dir);
        return stats.committed > 0 && stats.pending + stats.accepted === 0 ? stats : undefined;
      },
      'the gateway outbox to commit its rows',
      60_000,
      250,
    );
    expect(outbox).toMatchObject({ dead: 0 });

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesUsing(dir)).toEqual([]);
    expect(output.join('')).toContain('all processes stopped');
  });
});
