import { assert } from '@suyuan/shared';
import { crc16Modbus, negSum8, sum8 } from './checksums.ts';

/**
 * How a simulated device finds the host's commands in the bytes it receives: a bounded buffer, frames
 * cut by length and checked, anything else skipped one byte at a time. Commands are short, so the
 * buffer is too.
 */

export type CommandProbe =
  | { readonly kind: 'need' }
  | { readonly kind: 'reject' }
  | { readonly kind: 'frame'; readonly length: number };

export interface CommandFraming {
  readonly frameBytesMax: number;
  isStart(byte: number): boolean;
  probe(bytes: Uint8Array): CommandProbe;
}

export class CommandScanner {
  private readonly framing: CommandFraming;
  private buffer = new Uint8Array(0);
  bytesSkipped = 0;

  constructor(framing: CommandFraming) {
    this.framing = framing;
  }

  /** Returns complete, checked command frames (copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    let head = 0;
    while (head < joined.length) {
      if (!this.framing.isStart(joined[head]!)) {
        head++;
        this.bytesSkipped++;
        continue;
      }
      const probe = this.framing.probe(joined.subarray(head));
      if (probe.kind === 'need') {
        assert(
          joined.length - head < this.framing.frameBytesMax,
          'command probe wants more than its maximum',
        );
        break;
      }
      if (probe.kind === 'reject') {
        head++;
        this.bytesSkipped++;
        continue;
      }
      frames.push(joined.slice(head, head + probe.length));
      head += probe.length;
    }
    this.buffer = joined.slice(head);
    return frames;
  }
}

/** Host → UHF module: BB | 00 | command | length (BE) | payload | sum8 | 7E; commands carry small payloads. */
export const uhfCommandFraming: CommandFraming = {
  frameBytesMax: 7 + 64,
  isStart: (byte) => byte === 0xbb,
  probe(bytes) {
    if (bytes.length < 5) return { kind: 'need' };
    const payloadLength = (bytes[3]! << 8) | bytes[4]!;
    if (bytes[1] !== 0x00 || payloadLength > 64) return { kind: 'reject' };
    const length = 7 + payloadLength;
    if (bytes.length < length) return { kind: 'need' };
    const ok = bytes[length - 1] === 0x7e && sum8(bytes.subarray(1, length - 2)) === bytes[length - 2];
    return ok ? { kind: 'frame', length } : { kind: 'reject' };
  },
};

/** Host → R2000: A0 | len | address | command | data | check. */
export const r2000CommandFraming: CommandFraming = {
  frameBytesMax: 2 + 0xff,
  isStart: (byte) => byte === 0xa0,
  probe(bytes) {
    if (bytes.length < 2) return { kind: 'need' };
    if (bytes[1]! < 3) return { kind: 'reject' };
    const length = 2 + bytes[1]!;
    if (bytes.length < length) return { kind: 'need' };
    return negSum8(bytes.subarray(0, length - 1)) === bytes[length - 1]
      ? { kind: 'frame', length }
      : { kind: 'reject' };
  },
};

/**
 * Host → Modbus slaves: the common requests (functions 01-06) are 8 bytes: slave, function, two
 * 16-bit fields, CRC. A probe hears every request on the bus and keeps only its own.
 */
export const modbusRequestFraming: CommandFraming = {
  frameBytesMax: 8,
  isStart: (byte) => byte >= 1 && byte <= 247,
  probe(bytes) {
    if (bytes.length < 8) return { kind: 'need' };
    const crc = crc16Modbus(bytes.subarray(0, 6));
    return bytes[6] === (crc & 0xff) && bytes[7] === crc >>> 8
      ? { kind: 'frame', length: 8 }
      : { kind: 'reject' };
  },
};
