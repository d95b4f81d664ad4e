import type { Rng } from '@suyuan/shared';
import { CommandScanner, uhfCommandFraming } from './command-scanner.ts';
import { uhfErrorResponse, uhfFrame, uhfTagNotification } from './device-frames.ts';
import type { SerialDevice } from './serial-device.ts';
import { flipByteAt } from './simulated-line.ts';

/**
 * A UHF Gen2 module of the M100 / JRD-100 family: answers a single poll with one notification per tag in
 * the field (or error 0x15 when there is none), runs `count` rounds after a multi-poll, and stops on
 * command. Tags are EPC hex strings; RSSI varies per read.
 */

export const uhfErrorNoTag = 0x15;
export const uhfErrorUnknownCommand = 0x17;

export interface UhfModuleOptions {
  readonly tags: readonly string[];
  readonly rng: Rng;
  /** Time between multi-poll rounds. */
  readonly roundIntervalMs?: number;
  readonly rssiDbmMin?: number;
  readonly rssiDbmMax?: number;
}

export class UhfModule implements SerialDevice {
  private readonly scanner = new CommandScanner(uhfCommandFraming);
  private readonly rng: Rng;
  private readonly roundIntervalMs: number;
  private readonly rssiDbmMin: number;
  private readonly rssiDbmMax: number;
  private tags: string[];
  private roundsLeft = 0;
  private lastRoundMs = Number.NEGATIVE_INFINITY;
  readonly corrupt = flipByteAt(-2);
  /** Commands understood, for tests and scenario reports. */
  commandsReceived = 0;

  constructor(options: UhfModuleOptions) {
    this.tags = [...options.tags];
    this.rng = options.rng;
    this.roundIntervalMs = options.roundIntervalMs ?? 50;
    this.rssiDbmMin = options.rssiDbmMin ?? -75;
    this.rssiDbmMax = options.rssiDbmMax ?? -40;
  }

  /** Tags entering or leaving the field. */
  setTags(tags: readonly string[]): void {
    this.tags = [...tags];
  }

  get multiPollRoundsLeft(): number {
    return this.roundsLeft;
  }

  receive(chunk: Uint8Array, nowMs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const command of this.scanner.push(chunk)) {
      this.commandsReceived++;
      const code = command[2]!;
      if (code === 0x22) {
        out.push(...(this.tags.length > 0 ? this.round() : [uhfErrorResponse(uhfErrorNoTag)]));
      } else if (code === 0x27 && command.length === 10) {
        this.roundsLeft = (command[6]! << 8) | command[7]!;
        out.push(...this.tick(nowMs));
      } else if (code === 0x28) {
        this.roundsLeft = 0;
        out.push(uhfFrame(0x01, 0x28, new Uint8Array([0x00])));
      } else {
        out.push(uhfErrorResponse(uhfErrorUnknownCommand));
      }
    }
    return out;
  }

  tick(nowMs: number): Uint8Array[] {
    if (this.roundsLeft === 0 || nowMs - this.lastRoundMs < this.roundIntervalMs) return [];
    this.roundsLeft--;
    this.lastRoundMs = nowMs;
    return this.round();
  }

  private round(): Uint8Array[] {
    const span = this.rssiDbmMax - this.rssiDbmMin + 1;
    return this.tags.map((epc) => uhfTagNotification(epc, this.rssiDbmMin + this.rng.int(span)));
  }
}
