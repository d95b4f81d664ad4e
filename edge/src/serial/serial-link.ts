import { assert } from '@suyuan/shared';
import { defaultReopenLimits, type ReopenLimits, reopenDelayMs } from './backoff.ts';
import type { TimerHandle, Timers } from './timers.ts';

/**
 * One serial port kept open for as long as the gateway runs: when it closes, errors or its device path
 * vanishes, it is reopened with exponential backoff, and every state change is reported. Bytes in and
 * out pass through untouched; framing is the decoders' business.
 */

export interface SerialPortConfig {
  readonly path: string;
  readonly baudRate: number;
}

/** What a port implementation reports. `onClose` comes once per port: a failed open, a disconnect, an error. */
export interface PortEvents {
  onOpen(): void;
  onData(chunk: Uint8Array): void;
  onClose(error: Error | undefined): void;
}

export interface OpenedPort {
  write(bytes: Uint8Array): void;
  /** Closes without reporting: the link has already moved on. */
  close(): void;
}

export type PortOpener = (config: SerialPortConfig, events: PortEvents) => OpenedPort;

export type LinkState = 'opening' | 'open' | 'waiting' | 'stopped';

export interface LinkStateChange {
  readonly state: LinkState;
  readonly path: string;
  /** Consecutive failures so far (0 once a port has stayed open `stableOpenMs`). */
  readonly failures: number;
  /** Set in `waiting`: how long until the next open attempt. */
  readonly reopenDelayMs?: number;
  /** Why the port went away, when known. */
  readonly reason?: string;
}

export interface LinkStats {
  opens: number;
  closes: number;
  bytesIn: number;
  bytesOut: number;
  /** Writes refused because the port was not open. */
  writesDropped: number;
}

export interface SerialLinkOptions {
  readonly openPort: PortOpener;
  readonly timers: Timers;
  readonly reopen?: ReopenLimits;
  /** How often to check that the device path still exists while open (0 = never). */
  readonly pathCheckIntervalMs?: number;
  readonly pathExists?: (path: string) => boolean;
  readonly onData: (chunk: Uint8Array) => void;
  readonly onState?: (change: LinkStateChange) => void;
}

export class SerialLink {
  private readonly config: SerialPortConfig;
  private readonly options: SerialLinkOptions;
  private readonly reopen: ReopenLimits;
  private current: LinkState | 'idle' = 'idle';
  private port: OpenedPort | undefined;
  /** Identifies the current port; events from an older one are ignored. */
  private generation = 0;
  private failures = 0;
  private openedAtMs = 0;
  private timer: TimerHandle | undefined;
  private readonly counters: LinkStats = { opens: 0, closes: 0, bytesIn: 0, bytesOut: 0, writesDropped: 0 };

  constructor(config: SerialPortConfig, options: SerialLinkOptions) {
    this.config = config;
    this.options = options;
    this.reopen = options.reopen ?? defaultReopenLimits;
  }

  start(): void {
    assert(this.current === 'idle', 'a SerialLink starts once');
    this.openNow();
  }

  stop(): void {
    this.generation++;
    this.options.timers.clearTimeout(this.timer);
    this.port?.close();
    this.port = undefined;
    this.setState({ state: 'stopped', path: this.config.path, failures: this.failures });
  }

  /** Sends bytes if the port is open; returns false (and counts it) if they were dropped. */
  write(bytes: Uint8Array): boolean {
    if (this.current !== 'open' || !this.port) {
      this.counters.writesDropped++;
      return false;
    }
    this.counters.bytesOut += bytes.length;
    this.port.write(bytes);
    return true;
  }

  get state(): LinkState | 'idle' {
    return this.current;
  }

  get stats(): Readonly<LinkStats> {
    return { ...this.counters };
  }

  private openNow(): void {
    const generation = ++this.generation;
    const mine = () => generation === this.generation;
    this.setState({ state: 'opening', path: this.config.path, failures: this.failures });
    this.port = this.options.openPort(this.config, {
      onOpen: () => {
        if (mine()) this.opened();
      },
      onData: (chunk) => {
        if (!mine()) return;
        this.counters.bytesIn += chunk.length;
        this.options.onData(chunk);
      },
      onClose: (error) => {
        if (mine()) this.lost(error?.message ?? 'closed');
      },
    });
  }

  private opened(): void {
    this.counters.opens++;
    this.openedAtMs = this.options.timers.now();
    this.setState({ state: 'open', path: this.config.path, failures: this.failures });
    this.armPathCheck();
  }

  private lost(reason: string): void {
    const wasOpen = this.current === 'open';
    this.generation++;
    this.options.timers.clearTimeout(this.timer);
    this.port?.close();
    this.port = undefined;
    if (wasOpen) {
      this.counters.closes++;
      if (this.options.timers.now() - this.openedAtMs >= this.reopen.stableOpenMs) this.failures = 0;
    }
    this.failures++;
    const delayMs = reopenDelayMs(this.failures, this.reopen);
    this.setState({
      state: 'waiting',
      path: this.config.path,
      failures: this.failures,
      reopenDelayMs: delayMs,
      reason,
    });
    this.timer = this.options.timers.setTimeout(() => this.openNow(), delayMs);
  }

  private armPathCheck(): void {
    const intervalMs = this.options.pathCheckIntervalMs ?? 0;
    const pathExists = this.options.pathExists;
    if (intervalMs <= 0 || !pathExists) return;
    this.timer = this.options.timers.setTimeout(() => {
      if (this.current !== 'open') return;
      if (pathExists(this.config.path)) this.armPathCheck();
      else this.lost('device path vanished');
    }, intervalMs);
  }

  private setState(change: LinkStateChange): void {
    this.current = change.state;
    this.options.onState?.(change);
  }
}
