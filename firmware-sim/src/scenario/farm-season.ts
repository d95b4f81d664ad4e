import type { Rng } from '@suyuan/shared';
import type { SensorKind } from '../mqtt/sensor-kinds.ts';
import { type DeviceMessageOut, type Fault, SensorNode } from '../mqtt/sensor-node.ts';

/**
 * A farm season as data: plots with their sensor nodes, cold-chain loggers, a sampling interval
 * and fault rates. `planSeason` expands it into nodes; `seasonSteps` walks simulated time and yields
 * what every node publishes at each step, with faults drawn from the seeded rng. Pure: the MQTT
 * side (`runSeason`) decides how fast simulated time passes.
 */
export interface PlotSpec {
  name: string;
  devices: Partial<Record<SensorKind, number>>;
}

export interface FarmSeason {
  farm: string;
  plots: PlotSpec[];
  coldChainLoggers: number;
  startMs: number;
  days: number;
  sampleIntervalMs: number;
  /** Per node per simulated day. */
  faultRates: { stuck: number; spike: number; dropout: number; reboot: number; skew: number };
}

export const exampleSeason = (startMs: number): FarmSeason => ({
  farm: 'lotus-coop',
  plots: [
    { name: 'p1', devices: { soil: 2, air: 1, light: 1 } },
    { name: 'p2', devices: { soil: 2, air: 1 } },
    { name: 'greenhouse', devices: { soil: 1, air: 1, light: 1 } },
  ],
  coldChainLoggers: 2,
  startMs,
  days: 7,
  sampleIntervalMs: 15 * 60_000,
  faultRates: { stuck: 0.05, spike: 0.1, dropout: 0.05, reboot: 0.05, skew: 0.02 },
});

export function planSeason(season: FarmSeason, rng: Rng): SensorNode[] {
  const nodes: SensorNode[] = [];
  for (const plot of season.plots) {
    for (const [kind, count] of Object.entries(plot.devices) as [SensorKind, number][]) {
      for (let i = 1; i <= count; i++) {
        const deviceId = `${season.farm}.${plot.name}.${kind}-${i}`;
        nodes.push(new SensorNode({ deviceId, kind, startMs: season.startMs, rng: rng.fork() }));
      }
    }
  }
  for (let i = 1; i <= season.coldChainLoggers; i++) {
    const deviceId = `${season.farm}.truck-${i}.coldChain`;
    nodes.push(new SensorNode({ deviceId, kind: 'coldChain', startMs: season.startMs, rng: rng.fork() }));
  }
  return nodes;
}

export interface SeasonStep {
  timeMs: number;
  messages: { node: SensorNode; message: DeviceMessageOut }[];
  faults: { deviceId: string; fault: Fault }[];
}

export function* seasonSteps(season: FarmSeason, nodes: SensorNode[], rng: Rng): Generator<SeasonStep> {
  const endMs = season.startMs + season.days * 86_400_000;
  const stepsPerDay = 86_400_000 / season.sampleIntervalMs;
  for (let t = season.startMs; t < endMs; t += season.sampleIntervalMs) {
    const faults: SeasonStep['faults'] = [];
    for (const node of nodes) {
      const fault = drawFault(season, rng, t, stepsPerDay);
      if (fault) {
        node.inject(fault);
        faults.push({ deviceId: node.deviceId, fault });
      }
    }
    const messages: SeasonStep['messages'] = [];
    for (const node of nodes) {
      const message = node.sample(t);
      if (message) messages.push({ node, message });
    }
    yield { timeMs: t, messages, faults };
  }
}

function drawFault(season: FarmSeason, rng: Rng, t: number, stepsPerDay: number): Fault | null {
  const r = season.faultRates;
  const p = (perDay: number) => rng.chance(perDay / stepsPerDay);
  if (p(r.reboot)) return { kind: 'reboot' };
  if (p(r.stuck)) return { kind: 'stuck', untilMs: t + 2 * 3_600_000 };
  if (p(r.spike)) return { kind: 'spike', count: 1, magnitude: 500 };
  if (p(r.dropout)) return { kind: 'dropout', untilMs: t + 3_600_000 };
  if (p(r.skew)) return { kind: 'skew', offsetMs: (rng.chance(0.5) ? 1 : -1) * 3_600_000 };
  return null;
}
