import { InputError } from '@suyuan/shared';

/**
 * Bounded big-endian binary writer/reader for consensus messages. Every variable-length field has
 * a length prefix checked against a named limit before anything is allocated, and the reader
 * refuses trailing bytes, so one message has exactly one encoding.
 */
export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  u8(value: number): this {
    return this.push(Uint8Array.of(value));
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.push(out);
  }

  /** Non-negative safe integer as 8 bytes. */
  u64(value: number): this {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    return this.push(out);
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
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
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
