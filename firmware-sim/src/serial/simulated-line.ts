import { assert, type Rng } from '@suyuan/shared';

/**
 * The wire between a simulated device and the gateway: frames leave in arbitrary chunk sizes, and on a
 * noisy line garbage bytes slip in between frames and some frames arrive with a broken checksum.
 * Seeded, so every run of a scenario produces the same bytes.
 */

export interface LineNoise {
  /** Chance that garbage precedes a frame. */
  readonly garbageChance: number;
  /** Garbage runs are 1..garbageBytesMax bytes. */
  readonly garbageBytesMax: number;
  /** Chance that a frame's checksum is broken. */
  readonly corruptChance: number;
}

export interface LineOptions {
  /** Chunks are 1..chunkBytesMax bytes. */
  readonly chunkBytesMax: number;
  readonly noise?: LineNoise;
}

export interface LineStats {
  frames: number;
  corruptedFrames: number;
  /** Bytes of the corrupted frames (a gateway must skip all of them). */
  corruptedBytes: number;
  garbageBytes: number;
  chunks: number;
}

/** Returns a copy of the frame whose checksum no longer matches; each device knows where its checksum is. */
export type Corrupter = (frame: Uint8Array, rng: Rng) => Uint8Array;

export class SimulatedLine {
  private readonly rng: Rng;
  private readonly options: LineOptions;
  private readonly counters: LineStats = {
    frames: 0,
    corruptedFrames: 0,
    corruptedBytes: 0,
    garbageBytes: 0,
    chunks: 0,
  };

  constructor(rng: Rng, options: LineOptions) {
    assert(
      Number.isInteger(options.chunkBytesMax) && options.chunkBytesMax >= 1,
      'chunkBytesMax must be >= 1',
    );
    this.rng = rng;
    this.options = options;
  }

  /** The chunks to write for these frames, in order. */
  transmit(frames: readonly Uint8Array[], corrupt: Corrupter): Uint8Array[] {
    const parts: Uint8Array[] = [];
    const noise = this.options.noise;
    for (const frame of frames) {
      this.counters.frames++;
      if (noise && this.rng.chance(noise.garbageChance)) parts.push(this.garbage(noise.garbageBytesMax));
      if (noise && this.rng.chance(noise.corruptChance)) {
        this.counters.corruptedFrames++;
        this.counters.corruptedBytes += frame.length;
        parts.push(corrupt(frame, this.rng));
      } else {
        parts.push(frame);
      }
    }
    return this.cut(parts);
  }

  get stats(): Readonly<LineStats> {
    return { ...this.counters };
  }

  private garbage(bytesMax: number): Uint8Array {
    const bytes = Uint8Array.from({ length: 1 + this.rng.int(bytesMax) }, () => this.rng.int(256));
    this.counters.garbageBytes += bytes.length;
    return bytes;
  }

  private cut(parts: readonly Uint8Array[]): Uint8Array[] {
    let length = 0;
    for (const p of parts) length += p.length;
    const all = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    const chunks: Uint8Array[] = [];
    for (let start = 0; start < all.length; ) {
      const n = Math.min(all.length - start, 1 + this.rng.int(this.options.chunkBytesMax));
      chunks.push(all.slice(start, start + n));
      start += n;
    }
    this.counters.chunks += chunks.length;
    return chunks;
  }
}

/** Flips bits in the byte at `index` (negative counts from the end): the generic way to break a checksum. */
export function flipByteAt(index: number): Corrupter {
  return (frame, rng) => {
    const copy = frame.slice();
    const at = index < 0 ? copy.length + index : index;
    copy[at] = copy[at]! ^ (1 + rng.int(255));
    return copy;
  };
}
