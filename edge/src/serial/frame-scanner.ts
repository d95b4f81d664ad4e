import { assert } from '@suyuan/shared';

/**
 * The framing loop every serial protocol shares: bytes arrive in arbitrary chunks, a protocol says
 * whether the bytes at the head form a frame, and anything that does not is skipped one byte at a time
 * so that a real frame hidden behind garbage (or behind a false start byte) is still found.
 * The buffer is a fixed array of `bufferBytesMax`; nothing here throws on bad input.
 */

/** Why the candidate at the head was rejected; each reason has its own counter. */
export type RejectReason = 'checksum' | 'framing' | 'oversize';

export type FrameProbe<F> =
  /** The candidate at the head may be a frame but is not complete yet. */
  | { readonly kind: 'need' }
  /** The head byte does not start a valid frame: skip it and rescan. */
  | { readonly kind: 'reject'; readonly reason: RejectReason }
  /**
   * A checked frame of `length` bytes. `malformed` marks a frame whose checksum holds but whose
   * payload contradicts itself (say, a PC word whose EPC length differs from the payload).
   */
  | { readonly kind: 'frame'; readonly length: number; readonly frame: F; readonly malformed?: boolean };

export interface FrameProtocol<F> {
  /** Largest frame this protocol can produce; `probe` must decide by the time this many bytes are here. */
  readonly frameBytesMax: number;
  /** Cheap filter: can a frame start with this byte? */
  isStart(byte: number): boolean;
  /** Looks at the candidate at the head (`bytes[0]` passed `isStart`). `bytes` is a view: copy what you keep. */
  probe(bytes: Uint8Array): FrameProbe<F>;
}

/** What every incremental decoder offers its adapter. */
export interface FrameDecoder<F> {
  push(chunk: Uint8Array): F[];
  flush(): F[];
  readonly bufferedBytes: number;
  readonly stats: Readonly<DecoderStats>;
}

export interface DecoderStats {
  bytesIn: number;
  framesOk: number;
  /** Bytes dropped because they were not part of any valid frame (garbage, broken frames, flushes). */
  bytesSkipped: number;
  checksumErrors: number;
  /** Start byte seen but the frame around it is impossible (bad end byte, bad characters, bad length). */
  framingErrors: number;
  /** Start byte followed by a declared length beyond `frameBytesMax`. */
  oversizeFrames: number;
  /** Frames whose checksum holds but whose payload is inconsistent; still emitted, raw. */
  payloadErrors: number;
}

export interface ScannerLimits {
  /** Receive buffer size; must hold the protocol's largest frame. */
  readonly bufferBytesMax: number;
}

export const defaultScannerLimits: ScannerLimits = { bufferBytesMax: 4096 };

export function emptyDecoderStats(): DecoderStats {
  return {
    bytesIn: 0,
    framesOk: 0,
    bytesSkipped: 0,
    checksumErrors: 0,
    framingErrors: 0,
    oversizeFrames: 0,
    payloadErrors: 0,
  };
}

const rejectCounter: Record<RejectReason, keyof DecoderStats> = {
  checksum: 'checksumErrors',
  framing: 'framingErrors',
  oversize: 'oversizeFrames',
};

export class FrameScanner<F> implements FrameDecoder<F> {
  private readonly protocol: FrameProtocol<F>;
  private readonly buffer: Uint8Array;
  private head = 0;
  private tail = 0;
  private readonly counters = emptyDecoderStats();

  constructor(protocol: FrameProtocol<F>, limits: ScannerLimits = defaultScannerLimits) {
    assert(
      Number.isInteger(limits.bufferBytesMax) && limits.bufferBytesMax >= protocol.frameBytesMax,
      `bufferBytesMax (${limits.bufferBytesMax}) must hold a whole frame (${protocol.frameBytesMax} bytes)`,
    );
    this.protocol = protocol;
    this.buffer = new Uint8Array(limits.bufferBytesMax);
  }

  /** Feeds received bytes; returns the frames they completed, in order. */
  push(chunk: Uint8Array): F[] {
    const frames: F[] = [];
    this.counters.bytesIn += chunk.length;
    let offset = 0;
    // Feed in slices that fit: after each scan at most one incomplete frame (< frameBytesMax) remains,
    // so there is always room and the buffer never grows past bufferBytesMax.
    while (offset < chunk.length) {
      this.compact();
      const n = Math.min(this.buffer.length - this.tail, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + n), this.tail);
      this.tail += n;
      offset += n;
      this.scan(frames);
    }
    return frames;
  }

  /**
   * The line went quiet: nothing will complete the candidate at the head, so give it up byte by byte
   * and rescue any frame that sits behind it (one hidden behind a false start byte, say).
   */
  flush(): F[] {
    const frames: F[] = [];
    while (this.tail > this.head) {
      this.skip(1);
      this.scan(frames);
    }
    return frames;
  }

  /** Drops everything buffered (a new request makes old bytes stale); counted as skipped. */
  reset(): void {
    this.skip(this.tail - this.head);
  }

  get bufferedBytes(): number {
    return this.tail - this.head;
  }

  get stats(): Readonly<DecoderStats> {
    return { ...this.counters };
  }

  private scan(frames: F[]): void {
    for (;;) {
      let start = this.head;
      while (start < this.tail && !this.protocol.isStart(this.buffer[start]!)) start++;
      this.skip(start - this.head);
      if (this.head === this.tail) return;
      const available = this.tail - this.head;
      const probe = this.protocol.probe(this.buffer.subarray(this.head, this.tail));
      if (probe.kind === 'need') {
        assert(available < this.protocol.frameBytesMax, 'probe asked for more than frameBytesMax bytes');
        return;
      }
      if (probe.kind === 'reject') {
        this.counters[rejectCounter[probe.reason]]++;
        this.skip(1);
        continue;
      }
      assert(probe.length > 0 && probe.length <= available, 'probe returned an impossible frame length');
      this.head += probe.length;
      this.counters.framesOk++;
      if (probe.malformed === true) this.counters.payloadErrors++;
      frames.push(probe.frame);
    }
  }

  private skip(n: number): void {
    this.head += n;
    this.counters.bytesSkipped += n;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.buffer.copyWithin(0, this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }
}
