import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../cluster/harness.ts';
import { LedgerNetwork, type Placement } from '../e2e/ledger-network.ts';
import { readingCounts, telemetryBlocks, telemetryHeight } from '../e2e/ledger-readings.ts';
import { DiagSampler, diagMetricsPort } from './diag.ts';
import { NetnsLab, netnsUnavailable } from './lab.ts';

/**
 * Whole-system faults across hosts: each of the 4 ledger replicas and the gateway runs in its own
 * network namespace with its own IP, cabled to one bridge; the devices publish from the test's
 * namespace while a fault happens. Cases, in order, under continuous load: a backup partitioned away
 * then healed catches up; the primary's cable cut → view change → readings sampled after it
 * commit, and the old primary catches up once back; a replica killed (-9) → readings sampled after
 * it commit, and it catches up once restarted; the gateway killed (-9) and restarted loses
 * nothing. At the end every reading the broker acknowledged is on every replica's telemetry chain
 * exactly once. Namespaces are removed even when a case fails.
 */
const unavailable = netnsUnavailable();
if (unavailable) console.warn(`netns fault tests skipped: ${unavailable}`);

const roles = ['replica-0', 'replica-1', 'replica-2', 'replica-3', 'gateway'];
const kinds = ['soil', 'air', 'coldChain', 'soil'] as const;
const DEVICE_SEQ_LIMIT = 2 ** 32;
/** Background load: readings/s, per message, and a bound on how long it may run at all. */
const loadReadingsPerSecond = 100;
const loadChunkMs = 500;
const loadChunksMax = 1200;
/** Bound on each wait for the cluster to move; generous because CI shares 2 cores with other work. */
const growthWaitMs = 90_000;
/**
 * Readings sampled after a fault that must reach the chain while the fault lasts: proof that the
 * gateway's traffic still commits (a taller chain alone was not: the requests the backups held at
 * the cut made a few blocks while the gateway sent nothing). The devices stamp each reading with
 * this process's clock when they build the message, so a later stamp means a later publish.
 */
const freshReadingsMin = 50;
/** `SUYUAN_NETNS_DIAG=<dir>`: write a timeline, socket tables and full logs there (diag.ts). */
const diagDir = process.env.SUYUAN_NETNS_DIAG;

let lab: NetnsLab | null = null;
let net: LedgerNetwork | null = null;
let dir = '';
let devices = new Map<string, MqttDevice>();
let loadStop = false;
let loadDone: Promise<void> = Promise.resolve();
const diag = diagDir
  ? new DiagSampler(diagDir, { net: () => net, lab: () => lab, devices: () => devices })
  : null;

interface Status {
  view: number;
  primary: number;
  peers: { sendingTo: number[]; receivingFrom: number[] };
}

/**
 * A read the case needs once (not a condition it polls), retried for `readWaitMs`: undici reuses a
 * kept-alive connection that the replica's server is closing at that moment (its 5 s idle timeout;
 * on a loaded machine the client's own expiry runs late) and fails the request with "fetch failed:
 * other side closed". That is the client's race, not the replica's silence: the next attempt works.
 */
const readWaitMs = 30_000;
const once = <T>(what: string, read: () => Promise<T>): Promise<T> => waitUntil(read, what, readWaitMs, 200);

async function status(i: number): Promise<Status> {
  // Generous: a replica catching up on a loaded 2-core machine can take seconds to answer.
  const res = await fetch(`${net!.url(i)}/v1/status`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as Status;
}

const height = (i: number) => telemetryHeight(net!.url(i));

/** What each replica says about itself, for a failed case's message (never throws). */
async function diagnose(): Promise<string> {
  const lines = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const proc = net?.replicas[i];
      const tail = (proc?.stderr ?? '').slice(-800).replaceAll('\n', '\n    ');
      try {
        const res = await fetch(`${net!.url(i)}/v1/status`, { signal: AbortSignal.timeout(10_000) });
        const s = (await res.json()) as Record<string, unknown>;
        const keep = [
          'view',
          'primary',
          'inViewChange',
          'lastExecuted',
          'pendingRequests',
          'peers',
          'dropped',
        ];
        return `replica ${i}: ${JSON.stringify(Object.fromEntries(keep.map((k) => [k, s[k]])))}\n    ${tail}`;
      } catch (error) {
        return `replica ${i}: no status (${String(error)}; running ${proc?.running ?? false})\n    ${tail}`;
      }
    }),
  );
  const gateway = (net?.gateway?.stderr ?? '').slice(-800).replaceAll('\n', '\n    ');
  return `${lines.join('\n')}\ngateway (running ${net?.gateway?.running ?? false}):\n    ${gateway}`;
}

/** Waits until every listed replica's telemetry height reaches `target`. */
function waitHeights(ids: number[], target: number, what: string): Promise<true> {
  return waitUntil(
    async () => ((await Promise.all(ids.map(height))).every((h) => h >= target) ? true : undefined),
    what,
    growthWaitMs,
    200,
  );
}

/**
 * Waits until replica `id` holds `freshReadingsMin` readings sampled after `sinceMs`, reading only
 * the blocks above `fromHeight`, each once.
 */
async function waitFreshReadings(id: number, fromHeight: number, sinceMs: number, what: string) {
  let read = fromHeight;
  const fresh = new Set<string>();
  await waitUntil(
    async () => {
      const top = await height(id);
      if (top > read) {
        for (const block of await telemetryBlocks(net!.url(id), read + 1, top))
          for (const r of block.readings) if (r.time > sinceMs) fresh.add(`${r.deviceId}#${r.seq}`);
        read = top;
      }
      return fresh.size >= freshReadingsMin ? true : undefined;
    },
    what,
    growthWaitMs,
    500,
  );
}

async function maxHeight(ids: number[]): Promise<number> {
  return Math.max(...(await Promise.all(ids.map(height))));
}

function startLoad(nodes: SensorNode[]): void {
  loadStop = false;
  loadDone = (async () => {
    for (let chunk = 0; chunk < loadChunksMax && !loadStop; chunk++) {
      await runLoad(nodes, devices, {
        readingsPerSecond: loadReadingsPerSecond,
        durationMs: loadChunkMs,
        readingsPerMessage: 10,
        inFlightPerDeviceMax: 64,
        drainMsMax: 0,
      });
    }
  })();
}

function acked(): string[] {
  return [...devices.values()].flatMap((d) =>
    d.acked.map((a) => `${a.deviceId}#${(a.boot ?? 0) * DEVICE_SEQ_LIMIT + a.seq}`),
  );
}

describe.skipIf(unavailable !== null)(
  'replicas and gateway on separate hosts (ip netns)',
  { timeout: 200_000 },
  () => {
    beforeAll(async () => {
      lab = NetnsLab.create(roles);
      const l = lab;
      const placement: Placement = {
        ip: (role) => l.host(role).ip,
        wrap: (role, command, args) => {
          const launch = diag ? diag.teeStderr(role, command, args) : { command, args };
          return l.wrap(role, launch.command, launch.args);
        },
      };
      dir = mkdtempSync(join(tmpdir(), 'suyuan-netns-'));
      net = await LedgerNetwork.create(dir, placement, {
        editGateway(config) {
          (config.mqtt as Record<string, unknown>).publishRate = {
            ratePerSecond: 1000,
            burst: 1000,
            devicesMax: 100,
          };
          config.cloud = { ...(config.cloud as object), requestTimeoutMs: 2000 };
          if (diag) config.metrics = { host: l.host('gateway').ip, port: diagMetricsPort };
        },
      });
      await net.startAll();
      const rng = new SeededRng(88);
      const secrets = net.deviceSecrets();
      const nodes = Object.keys(secrets).map(
        (deviceId, i) =>
          new SensorNode({ deviceId, kind: kinds[i % kinds.length]!, startMs: Date.now(), rng: rng.fork() }),
      );
      devices = devicesFor(nodes, net.mqttUrl, secrets);
      startLoad(nodes);
      diag?.start();
    }, 360_000); // set-up runs the same CLIs as pnpm start: 40 s at load average 20, ~3 min at 50+

    beforeEach(({ onTestFailed, task }) => {
      diag?.note(`case: ${task.name}`);
      diag?.sockets(`case: ${task.name}`);
      onTestFailed(() => diag?.sockets(`failed: ${task.name}`));
      onTestFailed(async () => console.error(`netns case failed; replicas now:\n${await diagnose()}`));
    });

    // A failed case must not leave its fault behind for the next one (a failure then looked like
    // several): every cable back in, every killed process started again.
    afterEach(async () => {
      lab?.healAll();
      if (!net) return;
      for (const [i, proc] of net.replicas.entries()) if (proc === null) await net.startReplica(i);
      if (net.gateway === null) await net.startGateway();
    }, 120_000);

    afterAll(async () => {
      diag?.stop();
      loadStop = true;
      await Promise.all([...devices.values()].map((d) => d.close()));
      await net?.stop();
      lab?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a backup partitioned away keeps missing commits, then catches up once its cable is back', async () => {
      const { primary } = await once('replica 0 status', () => status(0));
      const cutOff = (primary + 1) % 4;
      const others = [0, 1, 2, 3].filter((i) => i !== cutOff);
      lab!.cut(`replica-${cutOff}`);
      const atCut = await once('the highest telemetry height', () => maxHeight(others));
      await waitHeights(others, atCut + 3, 'commits among the 3 connected replicas while one is cut off');
      await expect(height(cutOff)).rejects.toThrow(); // really unreachable
      lab!.heal(`replica-${cutOff}`);
      const atHeal = await once('the highest telemetry height', () => maxHeight(others));
      await waitHeights([cutOff], atHeal, `replica ${cutOff} to catch up after the heal`);
    });

    // Fixed over sessions 3-5: backups relay a late client request to every replica (the gateway
    // submits to one at a time; consensus/core.ts, retransmitRequests); heartbeats drop the half-open
    // links a cut leaves (replica/heartbeat.ts); forwarded NEW-VIEWs are not dropped as spoofed
    // (replica/transport.ts); and the gateway's uploader leaves a failed replica once, not once per
    // failed exchange: the 4 exchanges in flight to the cut primary timed out together and 4 moves
    // took it round the 4 URLs back to the cut primary, for as long as the cut lasted (a taller chain
    // hid it here; after a backup's kill -9 the same circling left the cluster idle for 90 s).
    it("cutting the primary's cable makes the others change view, and commits continue", async () => {
      const before = await once('replica 0 status', () => status(0));
      const old = before.primary;
      const others = [0, 1, 2, 3].filter((i) => i !== old);
      lab!.cut(`replica-${old}`);
      diag?.note(`cut replica ${old}`);
      const views = await waitUntil(
        async () => {
          const s = await Promise.all(others.map(status));
          return s.every((x) => x.view > before.view && x.primary !== old) ? s : undefined;
        },
        'a view change among the connected replicas',
        growthWaitMs,
        200,
      );
      expect(new Set(views.map((v) => v.view)).size).toBe(1);
      const viewChangedMs = Date.now();
      await waitFreshReadings(
        views[0]!.primary,
        await once('the highest telemetry height', () => maxHeight(others)),
        viewChangedMs,
        'readings sampled after the view change to commit under the new primary',
      );
      // The cut left TCP half-open (no FIN, no RST); heartbeats notice the silence all the same.
      await waitUntil(
        async () => {
          const s = await Promise.all(others.map(status));
          return s.every((x) => !x.peers.sendingTo.includes(old) && !x.peers.receivingFrom.includes(old))
            ? true
            : undefined;
        },
        `the connected replicas to drop their half-open connections to ${old}`,
        growthWaitMs,
        200,
      );
      lab!.heal(`replica-${old}`);
      diag?.note(`healed replica ${old}`);
      diag?.sockets('after the heal');
      const atHeal = await once('the highest telemetry height', () => maxHeight(others));
      await waitHeights([old], atHeal, `the old primary ${old} to catch up`);
    });

    it('a replica killed with SIGKILL under load and restarted catches up', async () => {
      const { primary } = await once('replica 0 status', () => status(0));
      const victim = (primary + 2) % 4;
      const others = [0, 1, 2, 3].filter((i) => i !== victim);
      await net!.killReplica(victim);
      diag?.note(`killed replica ${victim}`);
      const killedMs = Date.now();
      await waitFreshReadings(
        primary,
        await once('the highest telemetry height', () => maxHeight(others)),
        killedMs,
        'readings sampled after the kill to commit while the replica is down',
      );
      await net!.startReplica(victim);
      const atRestart = await once('the highest telemetry height', () => maxHeight(others));
      await waitHeights([victim], atRestart, `replica ${victim} to catch up after its restart`);
    });

    it('the gateway killed with SIGKILL under load and restarted: readings keep committing', async () => {
      const ids = [0, 1, 2, 3];
      const pid = net!.gateway!.pid;
      await net!.killGateway();
      const atKill = await once('the highest telemetry height', () => maxHeight(ids));
      await net!.startGateway();
      expect(net!.gateway!.pid).not.toBe(pid);
      await waitHeights(ids, atKill + 3, 'readings committing again through the restarted gateway');
    });

    it('every acknowledged reading is on every replica exactly once', async () => {
      loadStop = true;
      await loadDone;
      await waitUntil(
        () => ([...devices.values()].every((d) => d.inFlight === 0) ? true : undefined),
        'the last publishes to be acknowledged',
        growthWaitMs,
        100,
      );
      const keys = acked();
      expect(keys.length).toBeGreaterThan(1000);
      const want = new Set(keys);
      expect(want.size).toBe(keys.length); // the broker acknowledged each reading once
      // Replica 0's chain, read block by block, holds each acknowledged reading exactly once ...
      // Each poll reads only the blocks added since the last one (committed blocks never change):
      // re-reading the whole chain every second took most of the wait on a loaded machine.
      const counts = new Map<string, number>();
      let read = 0;
      await waitUntil(
        async () => {
          const top = await height(0);
          if (top > read) {
            for (const [key, n] of readingCounts(await telemetryBlocks(net!.url(0), read + 1, top)))
              counts.set(key, (counts.get(key) ?? 0) + n);
            read = top;
          }
          return keys.every((k) => counts.has(k)) ? true : undefined;
        },
        'replica 0 to hold every acknowledged reading',
        growthWaitMs,
        1000,
      );
      expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
      expect(keys.filter((k) => !counts.has(k))).toEqual([]);
      // ... and the other three end in the same head block: headers link by prevHash and commit to
      // their transactions by txRoot, so an equal head means an equal chain.
      const top = await once('replica 0 telemetry height', () => height(0));
      const head = async (i: number) => {
        const res = await fetch(`${net!.url(i)}/v1/chains/telemetry/blocks/${top}`);
        return res.ok ? JSON.stringify(((await res.json()) as { header: unknown }).header) : null;
      };
      const heads = await waitUntil(
        async () => {
          const all = await Promise.all([0, 1, 2, 3].map(head));
          return all.every((h) => h !== null && h === all[0]) ? all : undefined;
        },
        `every replica to hold the same telemetry block ${top}`,
        growthWaitMs,
        200,
      );
      expect(new Set(heads).size).toBe(1);
    });

    it('removes every namespace it made', () => {
      const made = lab!;
      made.destroy();
      expect(made.leftovers()).toEqual([]);
    });
  },
);
