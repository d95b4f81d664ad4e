import type { Rng } from '@suyuan/shared';
import { channelsFor, type SensorKind } from './sensor-kinds.ts';
import type { Channel } from './signals.ts';

/**
 * One simulated sensor node, as a pure core: `sample(timeMs)` returns the MQTT message it would
 * publish at that moment (or null during a dropout). Faults are injected on demand and behave the
 * way real nodes fail: a stuck ADC repeats its value, EMI spikes, radio dropouts lose readings (the
 * seq still advances, so the gateway sees a gap), a reboot resets seq (and bumps the boot counter if
 * the node keeps one), and a drifting RTC skews timestamps.
 */
export interface DeviceReadingOut {
  seq: number;
  time: number;
  type: string;
  value: number;
  uom: string;
}

export interface DeviceMessageOut {
  boot?: number;
  readings: DeviceReadingOut[];
}

export type Fault =
  | { kind: 'stuck'; untilMs: number }
  | { kind: 'spike'; count: number; magnitude: number }
  | { kind: 'dropout'; untilMs: number }
  | { kind: 'reboot' }
  | { kind: 'skew'; offsetMs: number };

export interface SensorNodeOptions {
  deviceId: string;
  kind: SensorKind;
  startMs: number;
  rng: Rng;
  /** Whether the node keeps a boot counter in flash (sends `boot`). */
  hasBootCounter?: boolean;
}

export class SensorNode {
  readonly deviceId: string;
  readonly kind: SensorKind;
  private readonly channels: Channel[];
  private readonly rng: Rng;
  private readonly hasBootCounter: boolean;
  private seq = 0;
  boot = 1;
  private stuck: { untilMs: number; values: number[] } | null = null;
  private spikes = { count: 0, magnitude: 0 };
  private dropoutUntilMs = -1;
  private skewMs = 0;
  lostToDropout = 0;

  constructor(options: SensorNodeOptions) {
    this.deviceId = options.deviceId;
    this.kind = options.kind;
    this.channels = channelsFor(options.kind, options.startMs);
    this.rng = options.rng;
    this.hasBootCounter = options.hasBootCounter ?? true;
  }

  inject(fault: Fault): void {
    switch (fault.kind) {
      case 'stuck':
        this.stuck = { untilMs: fault.untilMs, values: [] };
        return;
      case 'spike':
        this.spikes = { count: fault.count, magnitude: fault.magnitude };
        return;
      case 'dropout':
        this.dropoutUntilMs = fault.untilMs;
        return;
      case 'reboot':
        this.seq = 0;
        this.boot += 1;
        return;
      case 'skew':
        this.skewMs = fault.offsetMs;
        return;
    }
  }

  sample(timeMs: number): DeviceMessageOut | null {
    const values = this.channels.map((c) => c.sample(timeMs, this.rng));
    const readings = this.channels.map((c, i) => ({
      seq: this.seq++,
      time: timeMs + this.skewMs,
      type: c.type as string,
      value: this.faulted(values, i, timeMs),
      uom: c.uom,
    }));
    if (this.stuck && timeMs >= this.stuck.untilMs) this.stuck = null;
    if (timeMs < this.dropoutUntilMs) {
      this.lostToDropout += readings.length;
      return null;
    }
    return this.hasBootCounter ? { boot: this.boot, readings } : { readings };
  }

  private faulted(values: number[], i: number, timeMs: number): number {
    let value = values[i]!;
    if (this.stuck && timeMs < this.stuck.untilMs) {
      if (this.stuck.values[i] === undefined) this.stuck.values[i] = value;
      value = this.stuck.values[i]!;
    }
    if (this.spikes.count > 0 && i === values.length - 1) {
      this.spikes.count--;
      value += (this.rng.chance(0.5) ? 1 : -1) * this.spikes.magnitude;
    }
    return value;
  }
}
