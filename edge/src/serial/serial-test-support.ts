import { readFileSync } from 'node:fs';
import type { Rng } from '@suyuan/shared';
import type { OpenedPort, PortEvents, SerialPortConfig } from './serial-link.ts';

/**
 * Helpers for the serial tests (not part of the runtime API): the shared vector file and ways to cut a
 * byte string into chunks the way a serial driver might deliver it.
 */

export interface SerialVector {
  readonly name: string;
  readonly hex: string;
  readonly [field: string]: unknown;
}

export interface SerialVectorFile {
  readonly [protocol: string]: { readonly notes: string; readonly vectors: readonly SerialVector[] };
}

export function loadSerialVectors(): SerialVectorFile {
  const url = new URL('../../../../shared/vectors/serial-frames.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SerialVectorFile;
}

export function vectorsOf(file: SerialVectorFile, protocol: string): readonly SerialVector[] {
  const group = file[protocol];
  if (!group) throw new Error(`no vectors for ${protocol}`);
  return group.vectors;
}

/** Cuts `bytes` at the given offsets (ascending, strictly inside). */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

/** Every way to cut `bytes` into two non-empty chunks. */
export function everyTwoWaySplit(bytes: Uint8Array): Uint8Array[][] {
  const splits: Uint8Array[][] = [];
  for (let cut = 1; cut < bytes.length; cut++) splits.push(cutAt(bytes, [cut]));
  return splits;
}

/** Random cuts into chunks of 1..chunkBytesMax bytes. */
export function randomChunks(bytes: Uint8Array, rng: Rng, chunkBytesMax: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    const n = Math.min(bytes.length - start, 1 + rng.int(chunkBytesMax));
    chunks.push(bytes.subarray(start, start + n));
    start += n;
  }
  return chunks;
}

export function pushAll<F>(decoder: { push(chunk: Uint8Array): F[] }, chunks: readonly Uint8Array[]): F[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

/** A copy of `bytes` with `mask` xor-ed into the byte at `index` (negative counts from the end). */
export function withFlippedBits(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const copy = bytes.slice();
  const at = index < 0 ? copy.length + index : index;
  copy[at] = copy[at]! ^ mask;
  return copy;
}

/** A port whose fate the test decides: each open attempt is recorded and answered by hand. */
export class FakePorts {
  readonly attempts: { events: PortEvents; written: Uint8Array[]; closed: boolean }[] = [];
  readonly open = (_config: SerialPortConfig, events: PortEvents): OpenedPort => {
    const attempt = { events, written: [] as Uint8Array[], closed: false };
    this.attempts.push(attempt);
    return {
      write: (bytes) => {
        attempt.written.push(bytes);
      },
      close: () => {
        attempt.closed = true;
      },
    };
  };
  get last() {
    return this.attempts[this.attempts.length - 1]!;
  }
}
