import { InputError } from '@suyuan/shared';

/**
 * Bounded big-endian binary writer/reader for consensus messages. Every variable-length field has
 * a length prefix checked against a named limit before anything is allocated, and the reader
 * refuses trailing bytes, so one message has exactly one encoding.
 */
export class ByteWriter {
  // One growing buffer: a pre-prepare of 100+ requests wrote several small arrays per request and
  // copied them all again in finish().
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(count: number): number {
    const at = this.length;
    if (at + count > this.buffer.length) {
      const grown = new Uint8Array(Math.max(2 * this.buffer.length, at + count));
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

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
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
