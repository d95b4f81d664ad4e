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
 * `frameInPlace` for an encoding in pieces (`encodeMessagePieces`): the first piece starts with
 * FRAME_HEADER_BYTES free bytes, the length goes there, and the pieces written in order are the
 * frame. Nothing is copied.
 */
export function frameInPlacePieces(
  pieces: readonly Uint8Array[],
  frameBytesMax: number,
): readonly Uint8Array[] {
  const first = pieces[0];
  assert(
    first !== undefined && first.length >= FRAME_HEADER_BYTES,
    'frameInPlacePieces: no frame header room',
  );
  let payloadBytes = -FRAME_HEADER_BYTES;
  for (const piece of pieces) payloadBytes += piece.length;
  if (payloadBytes > frameBytesMax) throw new LimitError('frameBytesMax', frameBytesMax, payloadBytes);
  new DataView(first.buffer, first.byteOffset, FRAME_HEADER_BYTES).setUint32(0, payloadBytes);
  return pieces;
}

/**
 * Incremental decoder. `push` returns the complete frames found so far; a frame over the limit
 * throws LimitError and leaves the decoder unusable (the stream cannot be resynchronised, so the
 * connection must be closed).
 *
 * A frame inside one chunk is a view of it; a frame spread over chunks is concatenated once into
 * a fresh buffer. Frames are never reused: the consensus decoder keeps views of its input
 * (`ByteReader.fixed` on a Buffer is `Buffer#slice`, a view), so a decoded pre-prepare's request
 * bodies ARE its frame's bytes (no copy per body; the batch digest and the stored body are taken
 * from those same bytes), and `framing.test.ts` checks that a later frame cannot change a message
 * decoded earlier.
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
