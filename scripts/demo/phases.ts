import { readFileSync, rmSync } from 'node:fs';
import type { DemoArgs } from './args.ts';
import { addGatewayKey, registerParties, waitDeviceBindings } from './bootstrap.ts';
import type { CloudClient } from './cloud-client.ts';
import type { SerialLines } from './field-devices.ts';
import { cloudCli, type DemoLayout, edgeCli, repoRoot, tsxArgs } from './layout.ts';
import { loadParties, type Party, type PartyName } from './parties.ts';
import { done, step, warn } from './progress.ts';
import {
  createNetworkFiles,
  type DemoFile,
  enrollGateway,
  ensureFarmerUi,
  readDemoFile,
  serialProbeDeviceId,
  writeDemoFile,
} from './setup.ts';
import type { Supervisor } from './supervisor.ts';
import { pollUntil, waitHealthy } from './wait.ts';
import { writeReplicaWebConfigs } from './web-catalog.ts';

/** The start-up phases of `pnpm start`, in order; each prints its step and what it waits for. */
export const healthPoll = { attemptsMax: 300, intervalMs: 200 };

export async function prepareFiles(
  args: DemoArgs,
  layout: DemoLayout,
): Promise<{ file: DemoFile; parties: Record<PartyName, Party> }> {
  if (args.fresh) {
    step('--fresh: deleting the data dir');
    rmSync(layout.dataDir, { recursive: true, force: true });
  }
  rmSync(layout.urlsFile, { force: true }); // written again once this run's banner is shown
  const parties = loadParties(layout);
  const existing = readDemoFile(layout);
  if (existing) {
    done(
      `reusing keys and configs (${existing.n} replicas, ${modeText(existing)}); ledgers continue where they stopped`,
    );
    if (existing.n !== args.n)
      warn(`--n ${args.n} ignored: this data dir was created with ${existing.n} replicas (use --fresh)`);
    if (existing.groups !== args.groups)
      warn(`--mode ${args.mode} ignored: this data dir was created with ${modeText(existing)} (use --fresh)`);
    await ensureFarmerUi(layout, existing);
    await writeReplicaWebConfigs(layout, existing);
    return { file: existing, parties };
  }
  step(
    `first start: generating ${args.n} replica keys, configs, the ledger genesis and the gateway (suyuan-edge init, device add)`,
  );
  const file = await createNetworkFiles(layout, args.n, args.basePort, parties, args.groups ?? null);
  await ensureFarmerUi(layout, file);
  await writeReplicaWebConfigs(layout, file);
  done(`wrote ${layout.replicasDir} and ${layout.gatewayDir}`);
  return { file, parties };
}

/** "PBFT" or "grouped PBFT, 2 groups". */
function modeText(file: DemoFile): string {
  return file.groups === undefined ? 'PBFT' : `grouped PBFT, ${file.groups} groups`;
}

export async function startReplicas(
  file: DemoFile,
  layout: DemoLayout,
  supervisor: Supervisor,
  abort: AbortSignal,
): Promise<string[]> {
  const urls = file.replicaHttpPorts.map((p) => `http://127.0.0.1:${p}`);
  step(
    `starting ${file.n} replicas (${modeText(file)}; suyuan-cloud start, app ledger); waiting for /healthz on each`,
  );
  for (let i = 0; i < file.n; i++) {
    supervisor.start({
      name: `replica-${i}`,
      command: process.execPath,
      args: tsxArgs(cloudCli, ['start', '--config', layout.replicaConfig(i)]),
      cwd: repoRoot,
    });
  }
  await Promise.all(urls.map((u, i) => waitHealthy(u, `replica ${i} at ${u}`, { ...healthPoll, abort })));
  done(`replicas answer on ${urls.join(' ')}`);
  return urls;
}

/** Organisations, the gateway's key; returns the gateway key id. */
export async function bootstrapRegistry(
  client: CloudClient,
  parties: Record<PartyName, Party>,
  file: DemoFile,
  layout: DemoLayout,
): Promise<string> {
  step('registry: administrator registers the organisations (waiting for the commit)');
  const added = await registerParties(client, parties);
  done(added > 0 ? `registered ${added} organisations` : 'organisations already registered');
  step(
    "registry: the cooperative adds its gateway's key; the gateway signs its device bindings (suyuan-edge enroll --submit)",
  );
  const { gatewayPublicKey } = enrollGateway(layout, !file.enrollSubmitted);
  const gatewayKeyId = await addGatewayKey(client, parties['lotus-coop'], gatewayPublicKey);
  if (!file.enrollSubmitted) {
    file.enrollSubmitted = true;
    writeDemoFile(layout, file);
  }
  done(`gateway key ${gatewayKeyId.slice(0, 12)}… belongs to ${parties['lotus-coop'].id}`);
  return gatewayKeyId;
}

/** The gateway (with the serial lines when there are any); returns its MQTT port once devices are bound. */
export async function startGateway(
  ctx: { layout: DemoLayout; supervisor: Supervisor; client: CloudClient; abort: AbortSignal },
  serial: SerialLines | null,
  coopId: string,
  gatewayKeyId: string,
): Promise<number> {
  const { layout, supervisor, client, abort } = ctx;
  step(
    serial
      ? 'starting the edge gateway (embedded MQTT broker; RFID reader and soil probe on the socat lines); waiting for its ready line'
      : 'starting the edge gateway (suyuan-edge start, embedded MQTT broker); waiting for its ready line',
  );
  const serialArgs = serial
    ? ['--rfid', serial.rfidGateway, '--probe', serial.probeGateway, '--probe-device', serialProbeDeviceId]
    : [];
  const gateway = supervisor.start({
    name: 'gateway',
    command: process.execPath,
    args: serial
      ? tsxArgs(`${repoRoot}/scripts/demo/gateway-main.ts`, ['--config', layout.gatewayConfig, ...serialArgs])
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
  await waitDeviceBindings(client, coopId, gatewayKeyId, deviceIds, abort);
  done(`bound ${deviceIds.join(', ')}`);
  return mqttPort;
}

/**
 * The web pages are served by every ledger replica on its own HTTP port (web.json, written by
 * prepareFiles); wait until replica 0 answers them and return its base URL for the banner.
 */
export async function startWeb(file: DemoFile, abort: AbortSignal): Promise<string> {
  const webUrl = `http://127.0.0.1:${file.replicaHttpPorts[0]}`;
  step(`waiting for the web pages (consumer pages, QR codes, regulator dashboard) on replica 0, ${webUrl}`);
  await pollUntil(
    `web pages at ${webUrl}/regulator/login`,
    async () => ((await fetch(`${webUrl}/regulator/login`)).status === 200 ? true : null),
    { ...healthPoll, abort },
  );
  done(`web pages on every replica; banner uses ${webUrl}`);
  return webUrl;
}
