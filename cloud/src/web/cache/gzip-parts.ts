import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * One gzip member (RFC 1952) joined from a body's parts: a part shared by many bodies (a lot's
 * journey and charts, the page CSS) is deflated once and its bytes reused; a page's own few
 * kilobytes go in as stored (uncompressed) deflate blocks. Why not deflate those too: every
 * `zlib.*Sync` call sets up a fresh zlib stream, ~0.12 ms even for a few bytes — more than
 * deflating a whole 12 kB page costs beyond that. So a page miss pays a copy and a CRC-32
 * instead of a deflate, and its gzip is ~1 kB larger (the stored part).
 *
 * Deflated parts end with a sync flush (byte-aligned, not final), as pigz joins its blocks; their
 * back-references stay inside the part. Stored blocks (RFC 1951 3.2.4) are byte-aligned by
 * definition. A final empty stored block closes the stream; the trailer's CRC-32 and length cover
 * the whole body.
 */

export const gzipLevel = 6;

export interface BodyPart {
  bytes: Uint8Array;
  /** Shared by many bodies: deflated once (made on first use, kept in `deflated`). */
  shared?: boolean;
  deflated?: Uint8Array | undefined;
}

/** Header: magic, deflate, no flags, no mtime, no extra flags, OS unknown (255). */
const header = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** A stored block holds at most this many bytes (LEN is 16 bits). */
const storedBlockBytesMax = 0xffff;
/** BFINAL = 1, BTYPE = stored, LEN = 0, NLEN = 0xffff. */
const finalEmptyBlock = Uint8Array.from([1, 0, 0, 0xff, 0xff]);

/** `bytes` as non-final stored blocks, starting on a byte boundary. */
function storedBlocks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += storedBlockBytesMax) {
    const chunk = bytes.subarray(at, at + storedBlockBytesMax);
    const head = Buffer.alloc(5);
    head.writeUInt16LE(chunk.byteLength, 1);
    head.writeUInt16LE(~chunk.byteLength & 0xffff, 3);
    out.push(head, chunk);
  }
  return out;
}

/** A shared part's raw deflate, ending in a sync flush so another part may follow it. */
export function deflatePart(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes, { level: gzipLevel, finishFlush: constants.Z_SYNC_FLUSH });
}

export function gzipParts(parts: readonly BodyPart[]): Uint8Array {
  const chunks: Uint8Array[] = [header];
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    if (part.bytes.byteLength === 0) continue; // zlib would not give a plain sync flush for no input
    if (part.shared) {
      part.deflated ??= deflatePart(part.bytes);
      chunks.push(part.deflated);
    } else chunks.push(...storedBlocks(part.bytes));
    crc = crc32(part.bytes, crc);
    length += part.bytes.byteLength;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  chunks.push(finalEmptyBlock, trailer);
  return Buffer.concat(chunks);
}
