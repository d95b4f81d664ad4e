import { InputError } from '@suyuan/shared';

/**
 * Bounded big-endian binary writer/reader for consensus messages. Every variable-length field has
 * a length prefix checked against a named limit before anything is allocated, and the reader
 * refuses trailing bytes, so one message has exactly one encoding.
 */
/** At most this many unused bytes are kept behind a finished message instead of copying it. */
export const finishUnusedBytesMax = 4096;

// Not zero-filled: every byte up to `length` is written before it is read (the headroom is zeroed).
// Not from Node's shared pool either: a message may live long in a send queue or the store.
function allocate(bytes: number): Uint8Array {
  return bytes < 4096
    ? new Uint8Array(bytes)
    : new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
}

export class ByteWriter {
  // One buffer, sized up front when the caller knows about how much it will write (a 1 MB
  // pre-prepare grown by doubling from 256 bytes copied itself ~12 times, then once more in finish()).
  private buffer: Uint8Array;
  private view: DataView;
  private length: number;
  private readonly headroom: number;

  /**
   * `bytesExpected`: about how many bytes will be written (more is fine: the buffer grows).
   * `headroomBytes`: left free in front, for a frame header written later (`finishWithHeadroom`).
   */
  constructor(bytesExpected = 256, headroomBytes = 0) {
    this.buffer = allocate(headroomBytes + Math.max(bytesExpected, 16));
    this.buffer.fill(0, 0, headroomBytes);
    this.view = new DataView(this.buffer.buffer);
    this.length = headroomBytes;
    this.headroom = headroomBytes;
  }

  private reserve(count: number): number {
    const at = this.length;
    if (at + count > this.buffer.length) {
      const grown = allocate(Math.max(2 * this.buffer.length, at + count));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + count;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }

  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value);
    return this;
  }

  /** Non-negative safe integer as 8 bytes. */
  u64(value: number): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(value));
    return this;
  }

  /** Fixed-size bytes (digests, signatures): no length prefix. */
  fixed(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  bytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    return this.push(bytes);
  }

  push(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length); // first: reserve may replace this.buffer
    this.buffer.set(bytes, at);
    return this;
  }

  /** The bytes written (after any headroom). */
  finish(): Uint8Array {
    return this.trimmed(this.headroom);
  }

  /** The headroom and the bytes written after it: the caller fills the headroom in. */
  finishWithHeadroom(): Uint8Array {
    return this.trimmed(0);
  }

  // A view when little of the buffer is unused (no copy of a large message), a copy otherwise (an
  // estimate far above the truth must not pin a large buffer for as long as the message lives).
  private trimmed(from: number): Uint8Array {
    const unused = this.buffer.length - this.length;
    return unused <= finishUnusedBytesMax
      ? this.buffer.subarray(from, this.length)
      : this.buffer.slice(from, this.length);
  }
}

export function malformed(why: string): never {
  throw new InputError('consensus.malformed', `consensus message malformed: ${why}`);
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;
  private readonly buffer: Uint8Array;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  private need(count: number, what: string): void {
    if (this.offset + count > this.buffer.length) malformed(`truncated ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  u32(what: string, max: number): number {
    this.need(4, what);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    if (value > max) malformed(`${what} ${value} exceeds ${max}`);
    return value;
  }

  u64(what: string): number {
    this.need(8, what);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) malformed(`${what} is not a safe integer`);
    return Number(value);
  }

  fixed(count: number, what: string): Uint8Array {
    this.need(count, what);
    const out = this.buffer.slice(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  bytes(what: string, max: number): Uint8Array {
    const length = this.u32(`${what} length`, max);
    return this.fixed(length, what);
  }

  /** A count that must also fit in the bytes left (each item takes at least `itemBytesMin`). */
  count(what: string, max: number, itemBytesMin: number): number {
    const value = this.u32(what, max);
    if (value * itemBytesMin > this.remaining()) malformed(`${what} ${value} does not fit`);
    return value;
  }

  remaining(): number {
    return this.buffer.length - this.offset;
  }

  end(): void {
    if (this.offset !== this.buffer.length) malformed(`${this.remaining()} trailing bytes`);
  }
}
