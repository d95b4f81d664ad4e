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
  readonly hasBootCounter: boolean;
  private seq = 0;
  boot = 1;
  private stuck: { untilMs: number; values: number[] } | null = null;
  private spikes = { count: 0, magnitude: 0 };
  private dropoutUntilMs = -1;
  private skewMs = 0;
  /** One sample's channel values, reused (faults read them by channel index). */
  private readonly values: number[] = [];
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
    const readings: DeviceReadingOut[] = [];
    if (!this.sampleInto(timeMs, readings)) return null;
    return this.hasBootCounter ? { boot: this.boot, readings } : { readings };
  }

  /**
   * Appends the readings `sample(timeMs)` would send to `out` (none during a dropout; returns false
   * then), in the same order with the same seeded values: a load generator batching many samples
   * into one message builds no message or array per sample.
   */
  sampleInto(timeMs: number, out: DeviceReadingOut[]): boolean {
    const channels = this.channels;
    const values = this.values;
    for (let i = 0; i < channels.length; i++) values[i] = channels[i]!.sample(timeMs, this.rng);
    const dropped = timeMs < this.dropoutUntilMs;
    const time = timeMs + this.skewMs;
    for (let i = 0; i < channels.length; i++) {
      const seq = this.seq++;
      const value = this.faulted(values, i, timeMs);
      if (!dropped) out.push({ seq, time, type: channels[i]!.type as string, value, uom: channels[i]!.uom });
    }
    if (this.stuck && timeMs >= this.stuck.untilMs) this.stuck = null;
    if (dropped) this.lostToDropout += channels.length;
    return !dropped;
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
