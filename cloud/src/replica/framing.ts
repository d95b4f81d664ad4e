import { assert, LimitError } from '@suyuan/shared';

/**
 * Length-prefixed frames on a TCP stream: a 4-byte big-endian payload length, then the payload.
 * TCP delivers bytes in arbitrary chunks; the decoder reassembles whole frames and refuses a length
 * above `frameBytesMax` before buffering it (a hostile peer cannot make us allocate 4 GiB).
 */

export const FRAME_HEADER_BYTES = 4;

/** Largest frame payload accepted or sent by default: room for a full state-transfer reply. */
export const defaultFrameBytesMax = 16 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array, frameBytesMax: number): Buffer {
  if (payload.length > frameBytesMax) throw new LimitError('frameBytesMax', frameBytesMax, payload.length);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The same frame as `encodeFrame` from a buffer whose first FRAME_HEADER_BYTES are free and the
 * payload follows: the length goes into the free bytes, nothing is copied.
 */
export function frameInPlace(withHeadroom: Uint8Array, frameBytesMax: number): Buffer {
  const payloadBytes = withHeadroom.length - FRAME_HEADER_BYTES;
  assert(payloadBytes >= 0, 'frameInPlace: no room for the frame header');
  if (payloadBytes > frameBytesMax) throw new LimitError('frameBytesMax', frameBytesMax, payloadBytes);
  const frame = Buffer.from(withHeadroom.buffer, withHeadroom.byteOffset, withHeadroom.length);
  frame.writeUInt32BE(payloadBytes, 0);
  return frame;
}

/**
 * Incremental decoder. `push` returns the complete frames found so far; a frame over the limit
 * throws LimitError and leaves the decoder unusable (the stream cannot be resynchronised, so the
 * connection must be closed).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly frameBytesMax: number;

  constructor(frameBytesMax: number) {
    this.frameBytesMax = frameBytesMax;
  }

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) break;
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.frameBytesMax) throw new LimitError('frameBytesMax', this.frameBytesMax, length);
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      const whole = this.take(FRAME_HEADER_BYTES + length);
      frames.push(whole.subarray(FRAME_HEADER_BYTES));
    }
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private peek(bytes: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= bytes) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(bytes: number): Buffer {
    const first = this.peek(bytes);
    const out = first.subarray(0, bytes);
    if (first.length > bytes) this.chunks[0] = first.subarray(bytes);
    else this.chunks.shift();
    this.buffered -= bytes;
    return out;
  }
}
