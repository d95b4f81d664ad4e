import type { ReopenLimits } from './backoff.ts';
import type { DecoderStats } from './frame-scanner.ts';
import {
  defaultModbusPollLimits,
  ModbusPoller,
  type ModbusPollLimits,
  type ModbusPollStats,
} from './modbus-poller.ts';
import {
  type LinkStateChange,
  type LinkStats,
  type PortOpener,
  SerialLink,
  type SerialPortConfig,
} from './serial-link.ts';
import {
  decodeSoilProbeRegisters,
  type Measurement,
  type RejectedRegister,
  soilProbeRegisterCount,
} from './soil-probe.ts';
import { systemTimers, type Timers } from './timers.ts';

/**
 * An RS485 soil probe polled over Modbus RTU: the port is kept open (reopened with backoff), the probe
 * is read every poll interval, and each answer becomes EPCIS measurements. A poll that gets no answer is
 * reported as a timeout, so a dead probe shows up instead of going silent.
 */

export interface SoilProbeConfig extends SerialPortConfig {
  readonly deviceId: string;
  /** Modbus slave address of the probe (factory default 1). */
  readonly slave: number;
}

export type SoilProbeOutcome =
  | {
      readonly kind: 'readings';
      readonly deviceId: string;
      readonly time: number;
      readonly measurements: readonly Measurement[];
      readonly rejected: readonly RejectedRegister[];
    }
  | { readonly kind: 'exception'; readonly deviceId: string; readonly time: number; readonly code: number }
  | { readonly kind: 'timeout'; readonly deviceId: string; readonly time: number; readonly attempts: number };

export interface SoilProbeStats {
  readonly link: LinkStats;
  readonly poll: ModbusPollStats;
  readonly decoder: DecoderStats;
}

export interface SoilProbeOptions {
  readonly onOutcome: (outcome: SoilProbeOutcome) => void;
  readonly onState?: (change: LinkStateChange) => void;
  readonly openPort: PortOpener;
  readonly timers?: Timers;
  readonly poll?: ModbusPollLimits;
  readonly reopen?: ReopenLimits;
  readonly pathExists?: (path: string) => boolean;
  readonly pathCheckIntervalMs?: number;
}

export class SerialSoilProbe {
  private readonly link: SerialLink;
  private readonly poller: ModbusPoller;

  constructor(config: SoilProbeConfig, options: SoilProbeOptions) {
    const timers = options.timers ?? systemTimers;
    const deviceId = config.deviceId;
    this.poller = new ModbusPoller({
      request: { slave: config.slave, firstRegister: 0, registerCount: soilProbeRegisterCount },
      limits: options.poll ?? defaultModbusPollLimits,
      timers,
      write: (bytes) => this.link.write(bytes),
      onOutcome: (outcome) => {
        if (outcome.kind === 'registers') {
          const { measurements, rejected } = decodeSoilProbeRegisters(outcome.registers);
          options.onOutcome({ kind: 'readings', deviceId, time: outcome.time, measurements, rejected });
        } else if (outcome.kind === 'exception') {
          options.onOutcome({ kind: 'exception', deviceId, time: outcome.time, code: outcome.code });
        } else {
          options.onOutcome({ kind: 'timeout', deviceId, time: outcome.time, attempts: outcome.attempts });
        }
      },
    });
    this.link = new SerialLink(config, {
      openPort: options.openPort,
      timers,
      ...(options.reopen ? { reopen: options.reopen } : {}),
      ...(options.pathExists ? { pathExists: options.pathExists } : {}),
      ...(options.pathCheckIntervalMs === undefined
        ? {}
        : { pathCheckIntervalMs: options.pathCheckIntervalMs }),
      onData: (chunk) => this.poller.receive(chunk),
      onState: (change) => {
        // Poll as soon as the port (re)opens rather than waiting out the interval.
        if (change.state === 'open') {
          this.poller.stop();
          this.poller.start();
        }
        options.onState?.(change);
      },
    });
  }

  start(): void {
    this.link.start();
  }

  stop(): void {
    this.poller.stop();
    this.link.stop();
  }

  get linkState(): string {
    return this.link.state;
  }

  get stats(): SoilProbeStats {
    return { link: this.link.stats, poll: this.poller.stats, decoder: this.poller.decoderStats };
  }
}
