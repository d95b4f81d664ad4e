import { assert, InputError } from '@suyuan/shared';

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
  /** `push`ed byte arrays at least this long are referenced, not copied (`finishPieces`). */
  private readonly referenceBytesMin: number;
  /** The referenced arrays, each with where it sits in the written bytes. */
  private readonly referenced: { at: number; bytes: Uint8Array }[] = [];

  /**
   * `bytesExpected`: about how many bytes will be written (more is fine: the buffer grows).
   * `headroomBytes`: left free in front, for a frame header written later (`finishWithHeadroom`).
   * `referenceBytesMin`: pushed arrays this long are kept by reference for `finishPieces` (a
   * gather write of a pre-prepare's request bodies); only `finishPieces` may finish such a writer.
   */
  constructor(bytesExpected = 256, headroomBytes = 0, referenceBytesMin = Number.POSITIVE_INFINITY) {
    this.referenceBytesMin = referenceBytesMin;
    this.buffer = allocate(headroomBytes + Math.max(bytesExpected, 16));
    this.buffer.fill(0, 0, headroomBytes);
    this.view = new DataView(this.buffer.buffer);
    this.length = headroomBytes;
    this.headroom = headroomBytes;
  }

  /**
   * Start over at the headroom, keeping the buffer when it holds `bytesExpected` (a scratch writer
   * reused across batches: a fresh ~1 MB buffer costs ~250 first-touch page faults on this VM).
   */
  reset(bytesExpected: number): this {
    const needed = this.headroom + Math.max(bytesExpected, 16);
    if (needed > this.buffer.length) {
      this.buffer = allocate(needed);
      this.buffer.fill(0, 0, this.headroom);
      this.view = new DataView(this.buffer.buffer);
    }
    this.length = this.headroom;
    return this;
  }

  /** Bytes the buffer holds without growing. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** The bytes written so far (after any headroom), NOT copied: valid until the next write or reset. */
  written(): Uint8Array {
    return this.buffer.subarray(this.headroom, this.length);
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
    if (bytes.length >= this.referenceBytesMin) {
      this.referenced.push({ at: this.length, bytes });
      return this;
    }
    const at = this.reserve(bytes.length); // first: reserve may replace this.buffer
    this.buffer.set(bytes, at);
    return this;
  }

  /**
   * The headroom and the bytes written, as pieces to write in order: the writer's own bytes
   * between the referenced arrays, and those arrays themselves (not copied).
   */
  finishPieces(): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const { at, bytes } of this.referenced) {
      if (at > from) pieces.push(this.buffer.subarray(from, at));
      pieces.push(bytes);
      from = at;
    }
    pieces.push(this.buffer.subarray(from, this.length));
    return pieces;
  }

  /** The bytes written (after any headroom). */
  finish(): Uint8Array {
    assert(this.referenced.length === 0, 'ByteWriter: a writer with referenced pieces needs finishPieces');
    return this.trimmed(this.headroom);
  }

  /** The headroom and the bytes written after it: the caller fills the headroom in. */
  finishWithHeadroom(): Uint8Array {
    assert(this.referenced.length === 0, 'ByteWriter: a writer with referenced pieces needs finishPieces');
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

  /**
   * True when what this reader hands out are views of its input, not copies: `fixed` slices, and
   * `Buffer#slice` is a view (a frame off the socket) while `Uint8Array#slice` copies.
   */
  get keepsViews(): boolean {
    return Buffer.isBuffer(this.buffer);
  }

  /** Bytes read so far. */
  get position(): number {
    return this.offset;
  }

  /** A view of the input from `from` to the current position. */
  readSince(from: number): Uint8Array {
    return this.buffer.subarray(from, this.offset);
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
