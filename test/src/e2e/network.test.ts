import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReplicaConfig } from '@suyuan/cloud/replica/config';
import {
  type LedgerTx,
  merkleInclusionProof,
  type TraceResponse,
  type TxProof,
  toBase64Url,
  traceResponseSchema,
  txLeafHash,
  verifyTrace,
  verifyTxProof,
} from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, waitUntil } from '../cluster/harness.ts';

/**
 * `pnpm start` end to end over real processes: the supervisor (scripts/start.ts) starts 4 PBFT
 * replicas, the registry, the edge gateway with simulated MQTT sensors, the web front and the
 * farm-to-fork scenario in a temp data dir. Readings flow devices → gateway → replicas; the demo
 * item's trace verifies offline with the replica keys; the logger's readings during its transit are
 * on the telemetry chain with proofs that verify; the consumer page answers 200 HTML with charts.
 * SIGINT to the supervisor then leaves no process of the network behind.
 */
interface Urls {
  consumer: string;
  replicas: string[];
  demoItem: string;
  regulator: string;
  gatewayStatus: string;
  pids: number[];
  supervisorPid: number;
}

const socatInstalled = spawnSync('socat', ['-V']).status === 0;
let supervisor: ChildProcess | null = null;
let dataDir: string | null = null;

afterEach(() => {
  if (supervisor?.pid && supervisor.exitCode === null) supervisor.kill('SIGKILL');
  supervisor = null;
  if (dataDir) killLeftovers(dataDir);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

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

function killLeftovers(dir: string): void {
  for (const pid of processesUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

interface Block {
  header: { height: number; txCount: number };
  txs: LedgerTx[];
  proof: TxProof['block'];
}

describe('pnpm start', { timeout: 180_000 }, () => {
  it('runs the whole network, proves the demo item and its readings, stops without orphans', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-e2e-'));
    dataDir = dir;
    const first = await startNetwork(dir);
    const { child, output, exited } = first;
    const urls = first.urls;
    // 4 replicas (which also serve the web pages), gateway, MQTT devices;
    // with socat also 2 socat lines and the serial devices.
    expect(urls.pids.length).toBe(socatInstalled ? 9 : 6);
    const keys = loadReplicaConfig(join(dir, 'replicas', 'replica-0.json')).replicaPublicKeys;
    const api = urls.replicas[1]!;

    // The demo item's backward trace: its own events and its pallet's, all verified offline.
    const trace = traceResponseSchema.parse(
      await getJson<TraceResponse>(`${api}/v1/trace/backward/${encodeURIComponent(urls.demoItem)}`),
    );
    expect(verifyTrace(trace, keys)).toMatchObject({ ok: true });
    const steps = trace.events.map((e) => {
      const payload = e.tx.kind === 'payload' ? (e.tx.payload as { event?: { bizStep?: string } }) : {};
      return payload.event?.bizStep ?? '';
    });
    for (const step of ['commissioning', 'packing', 'shipping', 'receiving', 'unpacking', 'retail_selling'])
      expect(steps).toContain(step);
    const eventTime = (step: string) => {
      const e = trace.events.find(
        (x) => (x.tx as { payload?: { event?: { bizStep?: string } } }).payload?.event?.bizStep === step,
      );
      return Date.parse(
        (e!.tx as unknown as { payload: { event: { eventTime: string } } }).payload.event.eventTime,
      );
    };
    const packed = eventTime('packing');
    const unpacked = eventTime('unpacking');

    // Readings flowed devices → gateway → replicas: the truck logger reported during the transit,
    // and each telemetry transaction holding such a reading verifies offline.
    const loggerReadings = await waitUntil(
      async () => {
        const { items } = await getJson<{ items: { height: number }[] }>(
          `${api}/v1/chains/telemetry/blocks?limit=100`,
        );
        let found = 0;
        let probe = 0;
        for (const { height } of items) {
          const block = await getJson<Block>(`${api}/v1/chains/telemetry/blocks/${height}`);
          block.txs.forEach((tx, index) => {
            if (tx.kind !== 'readingBatch') return;
            probe += tx.payloads.filter((p) => p.reading.deviceId === 'coop-probe-1').length;
            const inWindow = tx.payloads.filter(
              (p) =>
                p.reading.deviceId === 'truck-logger-1' &&
                p.reading.time >= packed &&
                p.reading.time <= unpacked,
            );
            if (inWindow.length === 0) return;
            expect(verifyTxProof(tx, txProofIn(block, index), keys)).toBeNull();
            found += inWindow.length;
          });
        }
        // With socat, the soil probe's readings came over a serial line: pty → gateway → replicas.
        return found > 0 && (probe > 0 || !socatInstalled) ? found : undefined;
      },
      'truck logger readings between packing and unpacking (and soil probe readings) on the telemetry chain',
      60_000,
      500,
    );
    expect(loggerReadings).toBeGreaterThan(0);

    // The consumer page of the item: 200 HTML, journey and charts with points.
    const page = await waitUntil(
      async () => {
        const res = await fetch(`${urls.consumer}?lang=en`, { headers: { accept: 'text/html' } });
        const html = await res.text();
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
        return (html.match(/class="series"/g) ?? []).length >= 2 ? html : undefined;
      },
      'growing and cold-chain charts on the consumer page',
      60_000,
      500,
    );
    expect(page).toContain('Lotus Valley Cooperative');
    // Without a query the replica's node:http fast path answers (what a phone's QR scan sends):
    // the same page, and a conditional request with its ETag gets 304.
    const scan = await fetch(urls.consumer, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(scan.status).toBe(200);
    expect(await scan.text()).toContain('Lotus Valley Cooperative');
    const etag = scan.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(urls.consumer, {
      headers: { accept: 'text/html', 'accept-language': 'en', 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);

    // The farmer UI of the gateway answers (the banner's farmer / gateway status URL).
    const farmer = await fetch(urls.gatewayStatus, { headers: { accept: 'text/html' } });
    expect(farmer.status).toBe(200);
    expect(farmer.headers.get('content-type')).toContain('text/html');
    await farmer.arrayBuffer();

    // SIGINT: every child is stopped, nothing of the network is left.
    child.kill('SIGINT');
    expect(
      await waitUntil(
        async () => (child.exitCode !== null ? true : undefined),
        'supervisor exit',
        60_000,
        100,
      ),
    ).toBe(true);
    expect(await exited).toBe(0);
    for (const pid of urls.pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
    expect(output.join('')).toContain('all processes stopped');

    // A second start reuses keys and configs; the ledgers continue (same demo item, chains grow).
    const keyBefore = readFileSync(join(dir, 'replicas', 'replica-0.key.pem'), 'utf8');
    const heightBefore = traceHeight(dir);
    rmSync(join(dir, 'urls.json'));
    const second = await startNetwork(dir);
    expect(second.urls.demoItem).toBe(urls.demoItem);
    expect(second.output.join('')).toContain('reusing keys and configs');
    expect(readFileSync(join(dir, 'replicas', 'replica-0.key.pem'), 'utf8')).toBe(keyBefore);
    const grown = await waitUntil(
      async () => {
        const { chains } = await getJson<{ chains: { name: string; height: number }[] }>(
          `${second.urls.replicas[0]}/v1/chains`,
        );
        const height = chains.find((c) => c.name === 'trace')?.height ?? 0;
        return height > heightBefore ? height : undefined;
      },
      'the trace chain to grow after the restart',
      60_000,
      250,
    );
    expect(grown).toBeGreaterThan(heightBefore);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    for (const pid of second.urls.pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
  });
});

/** The trace chain's height as replica 0's ledger file records it (read after the network stopped). */
function traceHeight(dir: string): number {
  const Database = createRequire(join(repoRoot, 'cloud/package.json'))('better-sqlite3') as new (
    path: string,
    options: { readonly: boolean },
  ) => { prepare(sql: string): { get(): { h: number } }; close(): void };
  const db = new Database(join(dir, 'replicas', 'data-0', 'replica.sqlite'), { readonly: true });
  try {
    return db.prepare("SELECT COALESCE(MAX(height), 0) AS h FROM blocks WHERE chain = 'trace'").get().h;
  } finally {
    db.close();
  }
}

interface Started {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  urls: Urls;
}

async function startNetwork(dir: string): Promise<Started> {
  const output: string[] = [];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/start.ts',
      '--data-dir',
      dir,
      '--base-port',
      '0',
      '--scenario-interval-ms',
      '200',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  supervisor = child;
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const urlsFile = join(dir, 'urls.json');
  await waitUntil(() => child.exitCode === null && existsSync(urlsFile), 'urls.json', 150_000, 250).catch(
    (error: Error) => {
      throw new Error(`${error.message}\n${output.join('').slice(-3000)}`);
    },
  );
  return { child, output, exited, urls: JSON.parse(readFileSync(urlsFile, 'utf8')) as Urls };
}

/** The block route gives the certified block proof and every tx: the tx's path to txRoot is computed here. */
function txProofIn(block: Block, index: number): TxProof {
  const path = merkleInclusionProof(block.txs.map(txLeafHash), index).map(toBase64Url);
  return {
    location: { chain: 'telemetry', height: block.header.height, index },
    txPath: path,
    block: block.proof,
  };
}
