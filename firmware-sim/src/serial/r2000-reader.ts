import type { Rng } from '@suyuan/shared';
import { CommandScanner, r2000CommandFraming } from './command-scanner.ts';
import { r2000Frame, r2000RoundEnd, r2000TagReply } from './device-frames.ts';
import type { SerialDevice } from './serial-device.ts';
import { flipByteAt } from './simulated-line.ts';

/**
 * An Impinj R2000 reader answering the real-time inventory command (0x89): per round, one reply per tag
 * it sees (tags are spread over its antennas), then the end-of-round reply with read rate and total.
 * Answers its own address and the broadcast address 0xFF.
 */

export const r2000FailCode = 0x11;

export interface R2000ReaderOptions {
  readonly tags: readonly string[];
  readonly rng: Rng;
  readonly address?: number;
  /** Antenna ports, 1..4. */
  readonly antennas?: number;
  /** Simulated duration of one round, used for the read rate it reports. */
  readonly roundMs?: number;
}

export class R2000Reader implements SerialDevice {
  private readonly scanner = new CommandScanner(r2000CommandFraming);
  private readonly rng: Rng;
  private readonly address: number;
  private readonly antennas: number;
  private readonly roundMs: number;
  private tags: string[];
  readonly corrupt = flipByteAt(-1);
  commandsReceived = 0;

  constructor(options: R2000ReaderOptions) {
    this.tags = [...options.tags];
    this.rng = options.rng;
    this.address = options.address ?? 1;
    this.antennas = Math.max(1, Math.min(4, options.antennas ?? 1));
    this.roundMs = options.roundMs ?? 50;
  }

  setTags(tags: readonly string[]): void {
    this.tags = [...tags];
  }

  receive(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const command of this.scanner.push(chunk)) {
      const address = command[2]!;
      if (address !== this.address && address !== 0xff) continue;
      this.commandsReceived++;
      const code = command[3]!;
      if (code === 0x89 && command.length === 6) {
        for (let round = 0; round < Math.max(1, command[4]!); round++) out.push(...this.round());
      } else if (code !== 0x70) {
        // Reset (0x70) gets no reply: the reader reboots. Anything else we do not simulate fails.
        out.push(r2000Frame(this.address, code, new Uint8Array([r2000FailCode])));
      }
    }
    return out;
  }

  tick(): Uint8Array[] {
    return [];
  }

  private round(): Uint8Array[] {
    const antenna = this.rng.int(this.antennas);
    const replies = this.tags.map((epc) => r2000TagReply(this.address, antenna, epc, 40 + this.rng.int(50)));
    const readRate = Math.round((this.tags.length * 1000) / this.roundMs);
    replies.push(r2000RoundEnd(this.address, antenna, readRate, this.tags.length));
    return replies;
  }
}
