import type { ReopenLimits } from './backoff.ts';
import { type EpcIdentity, identifyEpc } from './epc-identity.ts';
import type { DecoderStats, ScannerLimits } from './frame-scanner.ts';
import {
  createReaderDriver,
  type ReaderDriver,
  type TagReaderProtocol,
  type TagSighting,
} from './reader-drivers.ts';
import {
  type LinkStateChange,
  type LinkStats,
  type PortOpener,
  SerialLink,
  type SerialPortConfig,
} from './serial-link.ts';
import {
  type DebounceLimits,
  type DebounceStats,
  defaultDebounceLimits,
  TagReadDebouncer,
} from './tag-debouncer.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';

/**
 * An RFID reader on a serial port: keeps the port open, keeps inventory running, decodes frames and
 * hands out debounced tag reads. All policy lives in the pure parts (decoders, drivers, debouncer);
 * this class only wires them to the port and the timers.
 */

export interface TagReaderConfig extends SerialPortConfig {
  readonly readerId: string;
  readonly protocol: TagReaderProtocol;
  readonly r2000Address?: number;
}

export interface TagReaderLimits {
  /** Quiet time after which a half-received candidate frame is given up (it can hide a real frame). */
  readonly idleFlushMs: number;
  /** Pause between an R2000 round's end and the next inventory command. */
  readonly inventoryGapMs: number;
  /** Re-issue the inventory command this long after the last one if no round ended (lost command, reset reader). */
  readonly inventoryResendMs: number;
}

export const defaultTagReaderLimits: TagReaderLimits = {
  idleFlushMs: 100,
  inventoryGapMs: 50,
  inventoryResendMs: 5000,
};

/** A counted read. EPC reads also carry what the EPC names (SGTIN-96 or raw), decoded once here. */
export type TagRead = (
  | (Extract<TagSighting, { kind: 'epc' }> & { readonly identity: EpcIdentity })
  | Extract<TagSighting, { kind: 'em4100' }>
) & { readonly readerId: string; readonly time: number };

export interface TagReaderStats {
  readonly link: LinkStats;
  readonly decoder: DecoderStats;
  readonly debounce: DebounceStats;
  readonly badTagCrc: number;
  readonly readerErrors: number;
  readonly rounds: number;
}

export interface TagReaderOptions {
  readonly onTagRead: (read: TagRead) => void;
  readonly onState?: (change: LinkStateChange) => void;
  readonly onReaderError?: (code: number) => void;
  readonly openPort: PortOpener;
  readonly timers?: Timers;
  readonly limits?: TagReaderLimits;
  readonly debounce?: DebounceLimits;
  readonly reopen?: ReopenLimits;
  readonly scanner?: ScannerLimits;
  readonly pathExists?: (path: string) => boolean;
  readonly pathCheckIntervalMs?: number;
}

export class SerialTagReader {
  private readonly config: TagReaderConfig;
  private readonly options: TagReaderOptions;
  private readonly timers: Timers;
  private readonly limits: TagReaderLimits;
  private readonly driver: ReaderDriver;
  private readonly debouncer: TagReadDebouncer;
  private readonly link: SerialLink;
  private idleTimer: TimerHandle | undefined;
  private inventoryTimer: TimerHandle | undefined;
  private counters = { badTagCrc: 0, readerErrors: 0, rounds: 0 };

  constructor(config: TagReaderConfig, options: TagReaderOptions) {
    this.config = config;
    this.options = options;
    this.timers = options.timers ?? systemTimers;
    this.limits = options.limits ?? defaultTagReaderLimits;
    this.driver = createReaderDriver(config.protocol, {
      ...(options.scanner ? { scanner: options.scanner } : {}),
      ...(config.r2000Address === undefined ? {} : { r2000Address: config.r2000Address }),
    });
    this.debouncer = new TagReadDebouncer(this.timers, options.debounce ?? defaultDebounceLimits);
    this.link = new SerialLink(config, {
      openPort: options.openPort,
      timers: this.timers,
      ...(options.reopen ? { reopen: options.reopen } : {}),
      ...(options.pathExists ? { pathExists: options.pathExists } : {}),
      ...(options.pathCheckIntervalMs === undefined
        ? {}
        : { pathCheckIntervalMs: options.pathCheckIntervalMs }),
      onData: (chunk) => this.received(chunk),
      onState: (change) => this.linkChanged(change),
    });
  }

  start(): void {
    this.link.start();
  }

  stop(): void {
    this.timers.clearTimeout(this.idleTimer);
    this.timers.clearTimeout(this.inventoryTimer);
    this.link.stop();
  }

  get linkState(): string {
    return this.link.state;
  }

  get stats(): TagReaderStats {
    return {
      link: this.link.stats,
      decoder: this.driver.decoderStats,
      debounce: this.debouncer.stats,
      ...this.counters,
    };
  }

  private linkChanged(change: LinkStateChange): void {
    this.timers.clearTimeout(this.inventoryTimer);
    if (change.state === 'open') this.sendInventory();
    this.options.onState?.(change);
  }

  private sendInventory(): void {
    const command = this.driver.inventoryCommand();
    if (!command) return;
    this.link.write(command);
    this.armInventory(this.limits.inventoryResendMs);
  }

  private armInventory(delayMs: number): void {
    this.timers.clearTimeout(this.inventoryTimer);
    this.inventoryTimer = this.timers.setTimeout(() => this.sendInventory(), delayMs);
  }

  private received(chunk: Uint8Array): void {
    this.handle(this.driver.push(chunk));
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.driver.bufferedBytes > 0) {
      this.idleTimer = this.timers.setTimeout(
        () => this.handle(this.driver.flush()),
        this.limits.idleFlushMs,
      );
    }
  }

  private handle(outcomes: ReturnType<ReaderDriver['push']>): void {
    for (const outcome of outcomes) {
      switch (outcome.kind) {
        case 'sighting': {
          const key = outcome.sighting.kind === 'epc' ? outcome.sighting.epcHex : outcome.sighting.dataHex;
          if (!this.debouncer.accept(this.config.readerId, key)) break;
          const stamp = { readerId: this.config.readerId, time: this.timers.now() };
          const sighting = outcome.sighting;
          this.options.onTagRead(
            sighting.kind === 'epc'
              ? { ...sighting, identity: identifyEpc(sighting.epcHex), ...stamp }
              : { ...sighting, ...stamp },
          );
          break;
        }
        case 'roundEnd':
          this.counters.rounds++;
          if (outcome.errorCode !== undefined) this.readerError(outcome.errorCode);
          this.armInventory(this.limits.inventoryGapMs);
          break;
        case 'readerError':
          this.readerError(outcome.code);
          break;
        case 'badTagCrc':
          this.counters.badTagCrc++;
          break;
        case 'other':
          break;
      }
    }
  }

  private readerError(code: number): void {
    this.counters.readerErrors++;
    this.options.onReaderError?.(code);
  }
}
