import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudClient } from './cloud-client.ts';
import { type DemoLayout, repoRoot, tsxArgs } from './layout.ts';
import { done, step, warn } from './progress.ts';
import { demoDevices, serialProbeDeviceId } from './setup.ts';
import type { Supervisor } from './supervisor.ts';
import { pollUntil } from './wait.ts';

/**
 * The simulated field: MQTT sensor nodes (devices-main.ts), and when socat is installed two
 * pseudo-terminal pairs with a UHF RFID module and a Modbus soil probe on the far ends
 * (serial-devices-main.ts); the gateway opens the near ends.
 */
export function startDevices(supervisor: Supervisor, layout: DemoLayout, mqttPort: number): void {
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

export interface SerialLines {
  rfidGateway: string;
  rfidDevice: string;
  probeGateway: string;
  probeDevice: string;
}

/** Two socat pty pairs (RFID reader, soil probe), or null when socat is missing. */
export async function startSerialLines(
  supervisor: Supervisor,
  layout: DemoLayout,
  abort: AbortSignal,
): Promise<SerialLines | null> {
  if (!hasSocat()) {
    warn('socat is not installed: no serial devices (RFID reader, soil probe); continuing without them');
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

export function startSerialDevices(supervisor: Supervisor, serial: SerialLines): void {
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

/** Newest telemetry blocks looked at per poll for the first readings of the field devices. */
const telemetryBlocksPerPollMax = 20;

/**
 * Waits (bounded) until readings of every named device are on the telemetry chain, so the first
 * lot has growing conditions to show; returns false if they did not arrive in time.
 */
export async function waitFirstReadings(
  client: CloudClient,
  deviceIds: readonly string[],
  abort: AbortSignal,
): Promise<boolean> {
  const seen = new Set<string>();
  try {
    return await pollUntil(
      `readings of ${deviceIds.join(', ')} on the telemetry chain`,
      async () => {
        const { body } = await client.getJson<{ items: { height: number }[] }>(
          `/v1/chains/telemetry/blocks?limit=${telemetryBlocksPerPollMax}`,
        );
        for (const { height } of body?.items ?? []) {
          const block = await client.getJson<{ txs: { payloads?: { reading?: { deviceId: string } }[] }[] }>(
            `/v1/chains/telemetry/blocks/${height}`,
          );
          for (const tx of block.body?.txs ?? [])
            for (const p of tx.payloads ?? []) if (p.reading) seen.add(p.reading.deviceId);
        }
        return deviceIds.every((d) => seen.has(d)) ? true : null;
      },
      { attemptsMax: 150, intervalMs: 200, abort },
    );
  } catch (error) {
    if (abort.aborted) throw error;
    return false;
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
