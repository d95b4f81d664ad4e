import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoArgs } from './args.ts';
import { bannerText, type DemoUrls } from './banner.ts';
import { addGatewayKey, registerParties, waitDeviceBindings } from './bootstrap.ts';
import { CloudClient } from './cloud-client.ts';
import { cloudCli, demoLayout, edgeCli, repoRoot, tsxArgs } from './layout.ts';
import { loadParties, partyId } from './parties.ts';
import { runScenario } from './scenario.ts';
import {
  createNetworkFiles,
  type DemoFile,
  demoDevices,
  enrollGateway,
  readDemoFile,
  serialProbeDeviceId,
  writeDemoFile,
} from './setup.ts';
import { Supervisor } from './supervisor.ts';
import { pollUntil, waitHealthy } from './wait.ts';

/**
 * `pnpm start`: one step per line, each saying what it waits for. Children run in their own process
 * groups under the Supervisor; SIGINT/SIGTERM stop them all (newest first) and exit 0.
 */
const step = (text: string) => console.log(`• ${text}`);
const done = (text: string) => console.log(`  ✓ ${text}`);

const healthPoll = { attemptsMax: 300, intervalMs: 200 };

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
  layout: ReturnType<typeof demoLayout>,
  supervisor: Supervisor,
  abort: AbortSignal,
): Promise<void> {
  console.log(`Suyuan (溯源) local network — data dir ${layout.dataDir}`);
  if (args.fresh) {
    step('--fresh: deleting the data dir');
    rmSync(layout.dataDir, { recursive: true, force: true });
  }
  const parties = loadParties(layout);
  let demo: DemoFile | null = readDemoFile(layout);
  if (demo) {
    done(`reusing keys and configs (${demo.n} replicas, PBFT); ledgers continue where they stopped`);
    if (demo.n !== args.n)
      console.log(
        `  ! --n ${args.n} ignored: this data dir was created with ${demo.n} replicas (use --fresh)`,
      );
  } else {
    step(
      `first start: generating ${args.n} replica keys, configs, the ledger genesis and the gateway (suyuan-edge init, device add)`,
    );
    demo = await createNetworkFiles(layout, args.n, args.basePort, parties);
    done(`wrote ${layout.replicasDir} and ${layout.gatewayDir}`);
  }
  const file = demo;
  const replicaUrls = file.replicaHttpPorts.map((p) => `http://127.0.0.1:${p}`);

  step(`starting ${file.n} PBFT replicas (suyuan-cloud start, app ledger); waiting for /healthz on each`);
  for (let i = 0; i < file.n; i++) {
    supervisor.start({
      name: `replica-${i}`,
      command: process.execPath,
      args: tsxArgs(cloudCli, ['start', '--config', layout.replicaConfig(i)]),
      cwd: repoRoot,
    });
  }
  await Promise.all(
    replicaUrls.map((u, i) => waitHealthy(u, `replica ${i} at ${u}`, { ...healthPoll, abort })),
  );
  done(`replicas answer on ${replicaUrls.join(' ')}`);

  const client = new CloudClient(replicaUrls, abort);
  step('registry: administrator registers the organisations (waiting for the commit)');
  const added = await registerParties(client, parties);
  done(added > 0 ? `registered ${added} organisations` : 'organisations already registered');

  step(
    "registry: the cooperative adds its gateway's key; the gateway signs its device bindings (suyuan-edge enroll --submit)",
  );
  const { gatewayPublicKey } = enrollGateway(layout, !file.enrollSubmitted);
  const gatewayKeyId = await addGatewayKey(client, parties['lotus-coop'], gatewayPublicKey);
  if (!file.enrollSubmitted) writeDemoFile(layout, { ...file, enrollSubmitted: true });
  file.enrollSubmitted = true;
  done(`gateway key ${gatewayKeyId.slice(0, 12)}… belongs to ${parties['lotus-coop'].id}`);

  const serial = args.devices ? await startSerialLines(supervisor, layout, abort) : null;
  step(
    serial
      ? 'starting the edge gateway (embedded MQTT broker; RFID reader and soil probe on the socat lines); waiting for its ready line'
      : 'starting the edge gateway (suyuan-edge start, embedded MQTT broker); waiting for its ready line',
  );
  const gateway = supervisor.start({
    name: 'gateway',
    command: process.execPath,
    args: serial
      ? tsxArgs(`${repoRoot}/scripts/demo/gateway-main.ts`, [
          '--config',
          layout.gatewayConfig,
          '--rfid',
          serial.rfidGateway,
          '--probe',
          serial.probeGateway,
          '--probe-device',
          serialProbeDeviceId,
        ])
      : tsxArgs(edgeCli, ['start', '--config', layout.gatewayConfig]),
    cwd: repoRoot,
  });
  const mqttPort = await gateway.line((j) =>
    j.ready === true && typeof j.mqttPort === 'number' ? j.mqttPort : null,
  );
  done(`gateway ready, MQTT on 127.0.0.1:${mqttPort}`);

  step('waiting for the device bindings to commit (delivered by the gateway from its outbox)');
  const secrets = JSON.parse(readFileSync(layout.deviceSecrets, 'utf8')) as Record<string, string>;
  const deviceIds = Object.keys(secrets);
  await waitDeviceBindings(client, parties['lotus-coop'].id, gatewayKeyId, deviceIds, abort);
  done(`bound ${deviceIds.join(', ')}`);

  step('starting the web front (consumer pages, QR codes, regulator dashboard); waiting for /healthz');
  const plotDevices = demoDevices.filter((d) => d.kind !== 'coldChain').map((d) => d.deviceId);
  supervisor.start({
    name: 'web',
    command: process.execPath,
    args: tsxArgs(`${repoRoot}/scripts/demo/web-main.ts`, [
      '--replica-config',
      layout.replicaConfig(0),
      '--regulator-key',
      layout.partyKey('food-safety'),
      '--plot-devices',
      plotDevices.join(','),
      '--port',
      String(file.webPort),
    ]),
    cwd: repoRoot,
  });
  const webUrl = `http://127.0.0.1:${file.webPort}`;
  await waitHealthy(webUrl, `web front at ${webUrl}`, { ...healthPoll, abort });
  done(`web front on ${webUrl}`);

  if (args.devices) {
    startDevices(supervisor, layout, mqttPort);
    if (serial) startSerialDevices(supervisor, serial);
    step('waiting for the first sensor readings to reach the telemetry chain (devices → gateway → replicas)');
    const height = await telemetryHeight(client, abort);
    done(height > 0 ? `telemetry chain at height ${height}` : 'no readings yet; the scenario starts anyway');
  } else done('--no-devices: no simulated field devices');

  step(
    `farm-to-fork scenario: one event every ${args.scenarioIntervalMs} ms (harvest, commission, pack, ship, receive, unpack, sell)`,
  );
  let bannerShown = false;
  const showBanner = async (item: { gtin: string; serial: string; lot: string }) => {
    const path = `/01/${item.gtin}/21/${encodeURIComponent(item.serial)}`;
    const urls: DemoUrls = {
      consumer: `${webUrl}${path}`,
      consumerOnReplica: (await replicaServesPages(replicaUrls[0]!, path))
        ? `${replicaUrls[0]}${path}`
        : null,
      regulator: `${webUrl}/regulator`,
      regulatorLogin: { username: 'regulator', password: 'regulator-demo-pass' },
      gatewayStatus: `${replicaUrls[0]}/v1/participants/${encodeURIComponent(partyId('lotus-coop'))}`,
      replicas: replicaUrls,
      mqtt: `mqtt://127.0.0.1:${mqttPort}`,
      demoItem: `https://id.gs1.org${path}`,
    };
    writeFileSync(
      layout.urlsFile,
      `${JSON.stringify({ ...urls, pids: supervisor.pids, supervisorPid: process.pid }, null, 2)}\n`,
    );
    console.log(await bannerText(urls));
    console.log(`  Gateway outbox and devices: pnpm edge status --config ${layout.gatewayConfig}`);
    console.log(`  Logs: ${layout.logDir}\n`);
    bannerShown = true;
  };
  if (file.demoItem) await showBanner(file.demoItem);
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
      console.log(`  ! scenario round failed: ${error.message}`);
    },
  });
}

function startDevices(supervisor: Supervisor, layout: ReturnType<typeof demoLayout>, mqttPort: number): void {
  step('starting the field-device simulator: MQTT sensor nodes (firmware-sim) publishing to the gateway');
  supervisor.start({
    name: 'devices',
    command: process.execPath,
    args: tsxArgs(`${repoRoot}/scripts/demo/devices-main.ts`, [
      '--mqtt',
      `mqtt://127.0.0.1:${mqttPort}`,
      '--secrets',
      layout.deviceSecrets,
      '--devices',
      demoDevices.map((d) => `${d.deviceId}:${d.kind}`).join(','),
      '--state-dir',
      layout.devicesDir,
    ]),
    cwd: repoRoot,
  });
  done(
    `${demoDevices.length} sensor nodes: ${demoDevices.map((d) => `${d.deviceId} (${d.kind})`).join(', ')}`,
  );
}

interface SerialLines {
  rfidGateway: string;
  rfidDevice: string;
  probeGateway: string;
  probeDevice: string;
}

/** Two socat pty pairs (RFID reader, soil probe), or null when socat is missing. */
async function startSerialLines(
  supervisor: Supervisor,
  layout: ReturnType<typeof demoLayout>,
  abort: AbortSignal,
): Promise<SerialLines | null> {
  if (!hasSocat()) {
    console.log(
      '  ! socat is not installed: no serial devices (RFID reader, soil probe); continuing without them',
    );
    return null;
  }
  step('serial lines: two socat pseudo-terminal pairs (RFID reader, soil probe); waiting for their links');
  const dir = join(layout.dataDir, 'serial');
  mkdirSync(dir, { recursive: true });
  const lines: SerialLines = {
    rfidGateway: join(dir, 'rfid-gateway'),
    rfidDevice: join(dir, 'rfid-device'),
    probeGateway: join(dir, 'probe-gateway'),
    probeDevice: join(dir, 'probe-device'),
  };
  const pairs: [string, string, string][] = [
    ['socat-rfid', lines.rfidDevice, lines.rfidGateway],
    ['socat-probe', lines.probeDevice, lines.probeGateway],
  ];
  for (const [name, a, b] of pairs) {
    for (const path of [a, b]) rmSync(path, { force: true });
    supervisor.start({
      name,
      command: 'socat',
      args: [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
      cwd: dir,
    });
  }
  const all = pairs.flatMap(([, a, b]) => [a, b]);
  await pollUntil('socat links', () => (all.every((p) => existsSync(p)) ? true : null), {
    attemptsMax: 100,
    intervalMs: 50,
    abort,
  });
  done(`lines ${dir}/{rfid,probe}-{device,gateway}`);
  return lines;
}

function startSerialDevices(supervisor: Supervisor, serial: SerialLines): void {
  supervisor.start({
    name: 'serial-devices',
    command: process.execPath,
    args: tsxArgs(`${repoRoot}/scripts/demo/serial-devices-main.ts`, [
      '--rfid',
      serial.rfidDevice,
      '--probe',
      serial.probeDevice,
    ]),
    cwd: repoRoot,
  });
  done(`serial devices: UHF RFID module and Modbus soil probe (${serialProbeDeviceId}) on the socat lines`);
}

/** The telemetry chain's height once it is above 0 (bounded wait; 0 if it stays empty). */
async function telemetryHeight(client: CloudClient, abort: AbortSignal): Promise<number> {
  try {
    return await pollUntil(
      'readings on the telemetry chain',
      async () => {
        const { body } = await client.getJson<{ chains: { name: string; height: number }[] }>('/v1/chains');
        const height = body?.chains.find((c) => c.name === 'telemetry')?.height ?? 0;
        return height > 0 ? height : null;
      },
      { attemptsMax: 150, intervalMs: 200, abort },
    );
  } catch (error) {
    if (abort.aborted) throw error;
    return 0;
  }
}

function hasSocat(): boolean {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
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
