import { assert, type Rng } from '@suyuan/shared';
import { MqttDevice } from '../mqtt/mqtt-device.ts';
import type { DeviceMessageOut, DeviceReadingOut, SensorNode } from '../mqtt/sensor-node.ts';
import { type FarmSeason, planSeason, seasonSteps } from './farm-season.ts';

/**
 * Drivers that put simulated nodes on a real broker: a season replayed as fast as the broker
 * acknowledges (bounded in-flight per device), and a load mode at a bounded reading rate for a
 * bounded duration. Both stop on their own; neither loops without a limit.
 */
export interface RunStats {
  messages: number;
  readings: number;
  ackedReadings: number;
  elapsedMs: number;
}

export type Credentials = Record<string, string>;

export function devicesFor(
  nodes: readonly SensorNode[],
  url: string,
  credentials: Credentials,
): Map<string, MqttDevice> {
  const devices = new Map<string, MqttDevice>();
  for (const node of nodes) {
    const secret = credentials[node.deviceId];
    assert(secret !== undefined, `no credentials for ${node.deviceId}`);
    devices.set(node.deviceId, new MqttDevice({ url, deviceId: node.deviceId, secret }));
  }
  return devices;
}

export async function runSeason(
  season: FarmSeason,
  url: string,
  credentials: Credentials,
  rng: Rng,
  inFlightMax = 64,
): Promise<RunStats & { faults: number }> {
  const nodes = planSeason(season, rng.fork());
  const devices = devicesFor(nodes, url, credentials);
  const started = Date.now();
  const stats = { messages: 0, readings: 0, ackedReadings: 0, elapsedMs: 0, faults: 0 };
  const pending = new Set<Promise<void>>();
  try {
    await Promise.all([...devices.values()].map((d) => d.connected()));
    for (const step of seasonSteps(season, nodes, rng.fork())) {
      stats.faults += step.faults.length;
      for (const { node, message } of step.messages) {
        while (pending.size >= inFlightMax) await Promise.race(pending);
        track(pending, devices.get(node.deviceId)!.publish(message));
        stats.messages++;
        stats.readings += message.readings.length;
      }
    }
    await Promise.all(pending);
  } finally {
    stats.ackedReadings = [...devices.values()].reduce((n, d) => n + d.acked.length, 0);
    stats.elapsedMs = Date.now() - started;
    await Promise.all([...devices.values()].map((d) => d.close()));
  }
  return stats;
}

function track(pending: Set<Promise<void>>, p: Promise<void>): void {
  const tracked = p.catch(() => {}).finally(() => pending.delete(tracked));
  pending.add(tracked);
}

export interface LoadOptions {
  /** Target readings per second across all devices. */
  readingsPerSecond: number;
  durationMs: number;
  readingsPerMessage: number;
  /** Unacknowledged messages allowed per device before it waits. */
  inFlightPerDeviceMax: number;
  /** Extra time allowed after `durationMs` for the last acknowledgements. */
  drainMsMax: number;
  /** Called as each message is handed to the client (benchmarks time publish → commit with it). */
  onPublish?: (deviceId: string, message: DeviceMessageOut, timeMs: number) => void;
}

/** Publishes at a bounded rate for a bounded time from every device in turn; returns what was acknowledged. */
export async function runLoad(
  nodes: readonly SensorNode[],
  devices: Map<string, MqttDevice>,
  options: LoadOptions,
): Promise<RunStats> {
  await Promise.all([...devices.values()].map((d) => d.connected()));
  const started = Date.now();
  let sentReadings = 0;
  let messages = 0;
  let turn = 0;
  while (Date.now() - started < options.durationMs) {
    const due = ((Date.now() - started) * options.readingsPerSecond) / 1000;
    while (sentReadings < due) {
      const node = nodes[turn++ % nodes.length]!;
      const device = devices.get(node.deviceId)!;
      if (device.inFlight >= options.inFlightPerDeviceMax) break;
      const message = batch(node, Date.now(), options.readingsPerMessage);
      options.onPublish?.(node.deviceId, message, Date.now());
      device.publish(message).catch(() => {});
      sentReadings += message.readings.length;
      messages++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const drainUntil = Date.now() + options.drainMsMax;
  while ([...devices.values()].some((d) => d.inFlight > 0) && Date.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ackedReadings = [...devices.values()].reduce((n, d) => n + d.acked.length, 0);
  return { messages, readings: sentReadings, ackedReadings, elapsedMs: Date.now() - started };
}

function batch(node: SensorNode, timeMs: number, readingsMax: number): DeviceMessageOut {
  const readings: DeviceReadingOut[] = [];
  while (readings.length < readingsMax) {
    assert(node.sampleInto(timeMs, readings), 'load mode runs without dropouts');
  }
  return node.hasBootCounter ? { boot: node.boot, readings } : { readings };
}
