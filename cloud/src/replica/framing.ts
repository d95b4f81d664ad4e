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
 * A frame inside one chunk is a view of that chunk; a frame spread over chunks (a ~1 MB
 * pre-prepare arrives in ~16 socket chunks) is copied once into a buffer of exactly its size, and
 * the bytes after it stay views of their chunk (before, every buffered byte was concatenated, the
 * start of the next frame too). Frames are never reused: the consensus decoder keeps views of its
 * input (`ByteReader.fixed` on a Buffer is `Buffer#slice`, a view), so a decoded pre-prepare's
 * request bodies ARE its frame's bytes (no copy per body), and `framing.test.ts` checks that a
 * later frame cannot change a message decoded earlier.
 */
export class FrameDecoder {
  /** The start of an incomplete frame, as the chunks it arrived in (views, not copies). */
  private pending: Buffer[] = [];
  private buffered = 0;
  private readonly frameBytesMax: number;

  constructor(frameBytesMax: number) {
    this.frameBytesMax = frameBytesMax;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let rest = this.buffered > 0 ? this.completePending(chunk, frames) : chunk;
    while (rest.length >= FRAME_HEADER_BYTES) {
      const length = this.checkedLength(rest.readUInt32BE(0));
      const end = FRAME_HEADER_BYTES + length;
      if (rest.length < end) break;
      frames.push(rest.subarray(FRAME_HEADER_BYTES, end));
      rest = rest.subarray(end);
    }
    if (rest.length > 0) this.hold(rest);
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private checkedLength(length: number): number {
    if (length > this.frameBytesMax) throw new LimitError('frameBytesMax', this.frameBytesMax, length);
    return length;
  }

  private hold(bytes: Buffer): void {
    this.pending.push(bytes);
    this.buffered += bytes.length;
  }

  /** Adds what `chunk` has of the pending frame; returns what follows it (empty if still short). */
  private completePending(chunk: Buffer, frames: Buffer[]): Buffer {
    let rest = chunk;
    const headerMissing = FRAME_HEADER_BYTES - this.buffered;
    if (headerMissing > 0) {
      const taken = Math.min(headerMissing, rest.length);
      this.hold(rest.subarray(0, taken));
      rest = rest.subarray(taken);
      if (taken < headerMissing) return rest;
    }
    const frameBytes = FRAME_HEADER_BYTES + this.checkedLength(this.pendingLength());
    const missing = frameBytes - this.buffered;
    if (rest.length < missing) {
      if (rest.length > 0) this.hold(rest);
      return rest.subarray(rest.length);
    }
    frames.push(this.assemble(frameBytes, rest.subarray(0, missing)));
    return rest.subarray(missing);
  }

  private pendingLength(): number {
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    let at = 0;
    for (const piece of this.pending) {
      at += piece.copy(header, at, 0, Math.min(piece.length, FRAME_HEADER_BYTES - at));
      if (at === FRAME_HEADER_BYTES) break;
    }
    return header.readUInt32BE(0);
  }

  /** The pending frame's bytes and its last piece, copied into one buffer of the frame's size. */
  private assemble(frameBytes: number, last: Buffer): Buffer {
    const into = Buffer.allocUnsafeSlow(frameBytes);
    let at = 0;
    for (const piece of this.pending) at += piece.copy(into, at);
    last.copy(into, at);
    this.pending = [];
    this.buffered = 0;
    return into.subarray(FRAME_HEADER_BYTES, frameBytes);
  }
}
