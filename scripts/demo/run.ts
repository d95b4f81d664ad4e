import { writeFileSync } from 'node:fs';
import type { DemoArgs } from './args.ts';
import { bannerText, type DemoUrls } from './banner.ts';
import { CloudClient } from './cloud-client.ts';
import { startDevices, startSerialDevices, startSerialLines, waitFirstReadings } from './field-devices.ts';
import { type DemoLayout, demoLayout } from './layout.ts';
import { partyId } from './parties.ts';
import { bootstrapRegistry, prepareFiles, startGateway, startReplicas, startWeb } from './phases.ts';
import { done, step, warn } from './progress.ts';
import { type RoundItem, runScenario } from './scenario.ts';
import { demoDevices, writeDemoFile } from './setup.ts';
import { Supervisor } from './supervisor.ts';

/**
 * `pnpm start`: one step per line, each saying what it waits for. Children run in their own process
 * groups under the Supervisor; SIGINT/SIGTERM stop them all (newest first) and exit 0.
 */

export async function runDemo(args: DemoArgs): Promise<void> {
  const layout = demoLayout(args.dataDir);
  const stop = new AbortController();
  const supervisor = new Supervisor(layout.logDir);
  let exitCode = 0;
  let stopping: Promise<void> | null = null;
  const shutdown = (why: string, code: number) => {
    if (stopping) return stopping;
    exitCode = code;
    stop.abort();
    console.log(`\n• ${why}: stopping the network`);
    stopping = supervisor
      .stopAll((t) => done(t))
      .then((killed) => {
        if (killed.length > 0) console.log(`  ! needed SIGKILL: ${killed.join(', ')}`);
        console.log('• all processes stopped');
      });
    return stopping;
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0).then(() => process.exit(exitCode)));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0).then(() => process.exit(exitCode)));
  // A closed terminal sends SIGHUP; children live in their own process groups, so without this they
  // would outlive the supervisor.
  process.once('SIGHUP', () => {
    // The terminal is gone: writing to it fails with EIO, which must not kill us before the children.
    const ignore = () => {};
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    void shutdown('SIGHUP', 0).then(() => process.exit(exitCode));
  });
  supervisor.onUnexpectedExit = (name, code) =>
    void shutdown(`${name} exited unexpectedly (code ${code}; log in ${layout.logDir})`, 1).then(() =>
      process.exit(exitCode),
    );
  try {
    await startNetwork(args, layout, supervisor, stop.signal);
  } catch (error) {
    if (!stop.signal.aborted) {
      console.error(`\n✗ ${(error as Error).message}`);
      await shutdown('start failed', 1);
      process.exit(1);
    }
  }
}

async function startNetwork(
  args: DemoArgs,
  layout: DemoLayout,
  supervisor: Supervisor,
  abort: AbortSignal,
): Promise<void> {
  console.log(`Suyuan (溯源) local network — data dir ${layout.dataDir}`);
  const { file, parties } = await prepareFiles(args, layout);
  const replicaUrls = await startReplicas(file, layout, supervisor, abort);
  const client = new CloudClient(replicaUrls, abort);
  const gatewayKeyId = await bootstrapRegistry(client, parties, file, layout);
  const serial = args.devices ? await startSerialLines(supervisor, layout, abort) : null;
  const ctx = { layout, supervisor, client, abort };
  const mqttPort = await startGateway(ctx, serial, parties['lotus-coop'].id, gatewayKeyId);
  const webUrl = await startWeb(file, abort);
  if (args.devices) {
    startDevices(supervisor, layout, mqttPort);
    if (serial) startSerialDevices(supervisor, serial);
    step('waiting for the first sensor readings to reach the telemetry chain (devices → gateway → replicas)');
    const plot = demoDevices.filter((d) => d.kind !== 'coldChain').map((d) => d.deviceId);
    const arrived = await waitFirstReadings(client, plot, abort);
    done(
      arrived ? `readings of ${plot.join(', ')} committed` : 'no readings yet; the scenario starts anyway',
    );
  } else done('--no-devices: no simulated field devices');

  let bannerShown = false;
  const showBanner = async (item: RoundItem) => {
    await printBanner(item, { layout, supervisor, replicaUrls, webUrl, mqttPort, uiPort: file.uiPort });
    bannerShown = true;
  };
  if (file.demoItem) await showBanner(file.demoItem);
  step(
    `farm-to-fork scenario: one event every ${args.scenarioIntervalMs} ms (harvest, commission, pack, ship, receive, unpack, sell)`,
  );
  let events = 0;
  await runScenario(client, parties, 'truck-logger-1', args.scenarioIntervalMs, abort, {
    onEvent(name, lot) {
      events++;
      if (!bannerShown) done(`${name} of lot ${lot} committed`);
    },
    onRound(item, round) {
      if (!file.demoItem) {
        file.demoItem = item;
        writeDemoFile(layout, file);
      }
      if (!bannerShown && file.demoItem) void showBanner(file.demoItem);
      else console.log(`  round ${round} done (${events} events this run; latest lot ${item.lot})`);
    },
    onError(error) {
      warn(`scenario round failed: ${error.message}`);
    },
  });
}

interface BannerContext {
  layout: DemoLayout;
  supervisor: Supervisor;
  replicaUrls: string[];
  webUrl: string;
  mqttPort: number;
  uiPort: number | undefined;
}

/** Prints the banner and writes the same URLs (and every child's pid) to urls.json. */
async function printBanner(item: RoundItem, ctx: BannerContext): Promise<void> {
  const { layout, replicaUrls, webUrl } = ctx;
  const path = `/01/${item.gtin}/21/${encodeURIComponent(item.serial)}`;
  const urls: DemoUrls = {
    consumer: `${webUrl}${path}`,
    consumerOnReplica: (await replicaServesPages(replicaUrls[0]!, path)) ? `${replicaUrls[0]}${path}` : null,
    regulator: `${webUrl}/regulator`,
    regulatorLogin: { username: 'regulator', password: 'regulator-demo-pass' },
    gatewayStatus: ctx.uiPort
      ? `http://127.0.0.1:${ctx.uiPort}/`
      : `${replicaUrls[0]}/v1/participants/${encodeURIComponent(partyId('lotus-coop'))}`,
    replicas: replicaUrls,
    mqtt: `mqtt://127.0.0.1:${ctx.mqttPort}`,
    demoItem: `https://id.gs1.org${path}`,
  };
  const record = { ...urls, pids: ctx.supervisor.pids, supervisorPid: process.pid };
  writeFileSync(layout.urlsFile, `${JSON.stringify(record, null, 2)}\n`);
  console.log(await bannerText(urls));
  console.log(`  Gateway outbox and devices: pnpm edge status --config ${layout.gatewayConfig}`);
  console.log(`  Logs: ${layout.logDir}\n`);
}

/** Whether the replica's own HTTP server serves the consumer page yet (the web app mounted there). */
async function replicaServesPages(replicaUrl: string, path: string): Promise<boolean> {
  try {
    const res = await fetch(`${replicaUrl}${path}`, { headers: { accept: 'text/html' } });
    await res.arrayBuffer();
    return res.ok && (res.headers.get('content-type') ?? '').includes('text/html');
  } catch {
    return false;
  }
}
