import { fromHex } from '@suyuan/shared';
import { em4100Frame } from './device-frames.ts';
import type { SerialDevice } from './serial-device.ts';
import type { Corrupter } from './simulated-line.ts';

/**
 * A 125 kHz EM4100 reader (RDM6300 style): while a card is in the field it sends the card's frame every
 * `repeatIntervalMs`, unprompted; it ignores anything the host sends.
 */

export interface Em4100ReaderOptions {
  /** Version byte + 4 card bytes as 10 hex digits, or undefined for an empty field. */
  readonly card?: string;
  readonly repeatIntervalMs?: number;
  /** Some readers put CR LF before the end byte. */
  readonly crlf?: boolean;
}

export class Em4100Reader implements SerialDevice {
  private card: string | undefined;
  private readonly repeatIntervalMs: number;
  private readonly crlf: boolean;
  private lastSentMs = Number.NEGATIVE_INFINITY;

  constructor(options: Em4100ReaderOptions = {}) {
    this.setCard(options.card);
    this.repeatIntervalMs = options.repeatIntervalMs ?? 100;
    this.crlf = options.crlf ?? false;
  }

  setCard(card: string | undefined): void {
    if (card !== undefined && fromHex(card, 'EM4100 card').length !== 5) {
      throw new RangeError(`an EM4100 card is 5 bytes (10 hex digits), got ${card}`);
    }
    this.card = card;
  }

  receive(): Uint8Array[] {
    return [];
  }

  tick(nowMs: number): Uint8Array[] {
    if (this.card === undefined || nowMs - this.lastSentMs < this.repeatIntervalMs) return [];
    this.lastSentMs = nowMs;
    return [em4100Frame(this.card, this.crlf)];
  }

  /** Breaks the ASCII checksum by swapping its last digit for another hex digit. */
  readonly corrupt: Corrupter = (frame) => {
    const copy = frame.slice();
    const at = copy.length - (this.crlf ? 4 : 2);
    copy[at] = copy[at] === 0x30 ? 0x31 : 0x30;
    return copy;
  };
}
