import type { Corrupter } from './simulated-line.ts';

/**
 * A simulated serial device, pure: bytes from the host and the passing of time go in, whole frames come
 * out. The port adapter writes the frames through a `SimulatedLine` (chunking, noise).
 */
export interface SerialDevice {
  /** Bytes the host sent; returns the frames the device answers with. */
  receive(chunk: Uint8Array, nowMs: number): Uint8Array[];
  /** Time has passed; returns frames the device sends unprompted (inventory rounds, repeated cards). */
  tick(nowMs: number): Uint8Array[];
  /** Breaks a frame's checksum the way line noise would, for this protocol. */
  readonly corrupt: Corrupter;
}
