import type { DecoderStats, ScannerLimits } from './frame-scanner.ts';
import { encodeReadHoldingRegisters, ModbusResponseDecoder } from './modbus-rtu.ts';
import type { TimerHandle, Timers } from './timers.ts';

/**
 * Modbus RTU master for one slave: every `pollIntervalMs` it reads a block of holding registers, waits
 * `responseTimeoutMs` for the answer (which may arrive in any number of chunks), retries up to
 * `retriesMax` times, and reports each poll's outcome: registers, an exception, or a timeout.
 * One request is outstanding at a time, as on a real RS485 bus.
 */

export interface ModbusPollLimits {
  readonly pollIntervalMs: number;
  /** A 7-register answer at 4800 baud takes ~40 ms on the wire; probes answer within ~100 ms. */
  readonly responseTimeoutMs: number;
  /** Extra attempts after the first before a poll is reported as timed out. */
  readonly retriesMax: number;
}

export const defaultModbusPollLimits: ModbusPollLimits = {
  pollIntervalMs: 10_000,
  responseTimeoutMs: 500,
  retriesMax: 2,
};

export interface ModbusPollRequest {
  readonly slave: number;
  readonly firstRegister: number;
  readonly registerCount: number;
}

export type ModbusPollOutcome =
  | {
      readonly kind: 'registers';
      readonly time: number;
      readonly attempts: number;
      readonly registers: readonly number[];
    }
  | { readonly kind: 'exception'; readonly time: number; readonly attempts: number; readonly code: number }
  | { readonly kind: 'timeout'; readonly time: number; readonly attempts: number };

export interface ModbusPollStats {
  polls: number;
  requestsSent: number;
  /** Requests not sent because the port was down; they count as attempts and end in timeouts. */
  requestsDropped: number;
  responses: number;
  exceptions: number;
  timeouts: number;
  retries: number;
}

export interface ModbusPollerOptions {
  readonly request: ModbusPollRequest;
  readonly limits?: ModbusPollLimits;
  readonly scanner?: ScannerLimits;
  readonly timers: Timers;
  /** Sends bytes on the bus; false if the port was not open. */
  readonly write: (bytes: Uint8Array) => boolean;
  readonly onOutcome: (outcome: ModbusPollOutcome) => void;
}

export class ModbusPoller {
  private readonly options: ModbusPollerOptions;
  private readonly limits: ModbusPollLimits;
  private readonly decoder: ModbusResponseDecoder;
  private readonly requestBytes: Uint8Array;
  private attempts = 0;
  private pollStartedMs = 0;
  private running = false;
  private timer: TimerHandle | undefined;
  private readonly counters: ModbusPollStats = {
    polls: 0,
    requestsSent: 0,
    requestsDropped: 0,
    responses: 0,
    exceptions: 0,
    timeouts: 0,
    retries: 0,
  };

  constructor(options: ModbusPollerOptions) {
    this.options = options;
    this.limits = options.limits ?? defaultModbusPollLimits;
    this.decoder = new ModbusResponseDecoder(options.scanner);
    const { slave, firstRegister, registerCount } = options.request;
    this.requestBytes = encodeReadHoldingRegisters(slave, firstRegister, registerCount);
  }

  /** Starts polling now, then every `pollIntervalMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.poll();
  }

  stop(): void {
    this.running = false;
    this.options.timers.clearTimeout(this.timer);
    this.decoder.expect(undefined);
  }

  /** Bytes received from the bus. */
  receive(chunk: Uint8Array): void {
    for (const frame of this.decoder.push(chunk)) {
      const time = this.options.timers.now();
      if (frame.kind === 'registers') {
        this.counters.responses++;
        this.finish({ kind: 'registers', time, attempts: this.attempts, registers: frame.registers });
      } else {
        this.counters.exceptions++;
        this.finish({ kind: 'exception', time, attempts: this.attempts, code: frame.code });
      }
    }
  }

  get stats(): Readonly<ModbusPollStats> {
    return { ...this.counters };
  }

  get decoderStats(): Readonly<DecoderStats> {
    return this.decoder.stats;
  }

  private poll(): void {
    this.counters.polls++;
    this.pollStartedMs = this.options.timers.now();
    this.attempts = 0;
    this.send();
  }

  private send(): void {
    this.attempts++;
    this.decoder.expect(this.options.request);
    if (this.options.write(this.requestBytes)) this.counters.requestsSent++;
    else this.counters.requestsDropped++;
    this.arm(this.limits.responseTimeoutMs, () => this.timedOut());
  }

  private timedOut(): void {
    if (this.attempts <= this.limits.retriesMax) {
      this.counters.retries++;
      this.send();
      return;
    }
    this.counters.timeouts++;
    this.finish({ kind: 'timeout', time: this.options.timers.now(), attempts: this.attempts });
  }

  private finish(outcome: ModbusPollOutcome): void {
    // Stop listening first: a late duplicate of this response must not be taken for the next one.
    this.decoder.expect(undefined);
    this.options.timers.clearTimeout(this.timer);
    if (this.running) {
      const nextInMs = Math.max(
        0,
        this.pollStartedMs + this.limits.pollIntervalMs - this.options.timers.now(),
      );
      this.arm(nextInMs, () => this.poll());
    }
    this.options.onOutcome(outcome);
  }

  private arm(delayMs: number, callback: () => void): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = this.options.timers.setTimeout(callback, delayMs);
  }
}
