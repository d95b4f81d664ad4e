import { fromHex } from '@suyuan/shared';
import { type FrameProbe, type FrameProtocol, FrameScanner, type ScannerLimits } from './frame-scanner.ts';
import { hexUpper } from './hex.ts';

/**
 * 125 kHz EM4100 readers (RDM6300 and alikes, 9600 8N1), sending unprompted while a tag is in the field:
 *   02 | 10 ASCII hex (version byte + 4 tag bytes) | 2 ASCII hex checksum | [CR LF] | 03
 * checksum = XOR of the 5 data bytes. The frame repeats for as long as the tag stays: debounce downstream.
 */

const STX = 0x02;
const ETX = 0x03;
const CR = 0x0d;
const LF = 0x0a;
const DATA_BYTES = 5;
const HEX_CHARS = 2 * (DATA_BYTES + 1);
const FRAME_BYTES = 1 + HEX_CHARS + 1;
const FRAME_BYTES_CRLF = FRAME_BYTES + 2;

export interface Em4100Frame {
  readonly kind: 'tag';
  /** Version byte + 4 tag bytes, upper-case hex (10 characters). */
  readonly dataHex: string;
  /** The number printed on most fobs: the last 4 bytes as a 10-digit decimal. */
  readonly cardNumber: string;
}

function hexValue(char: number): number {
  if (char >= 0x30 && char <= 0x39) return char - 0x30;
  if (char >= 0x41 && char <= 0x46) return char - 0x41 + 10;
  if (char >= 0x61 && char <= 0x66) return char - 0x61 + 10;
  return -1;
}

/** Decodes the ASCII hex between STX and the end marker; undefined if any character is not hex. */
function decodeAsciiHex(chars: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(chars.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(chars[2 * i]!);
    const lo = hexValue(chars[2 * i + 1]!);
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function xor(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

/** Where the frame ends (its length), 'need' if we cannot tell yet, or -1 if the end marker is wrong. */
function frameLength(bytes: Uint8Array): number | 'need' {
  if (bytes.length < FRAME_BYTES) return 'need';
  const marker = bytes[FRAME_BYTES - 1];
  if (marker === ETX) return FRAME_BYTES;
  if (marker !== CR) return -1;
  if (bytes.length < FRAME_BYTES_CRLF) return 'need';
  return bytes[FRAME_BYTES] === LF && bytes[FRAME_BYTES + 1] === ETX ? FRAME_BYTES_CRLF : -1;
}

export const em4100Protocol: FrameProtocol<Em4100Frame> = {
  frameBytesMax: FRAME_BYTES_CRLF,
  isStart: (byte) => byte === STX,
  probe(bytes): FrameProbe<Em4100Frame> {
    // Check characters as they arrive so a false STX is dropped without waiting for a whole frame.
    const seen = Math.min(bytes.length - 1, HEX_CHARS);
    for (let i = 1; i <= seen; i++) if (hexValue(bytes[i]!) < 0) return { kind: 'reject', reason: 'framing' };
    const length = frameLength(bytes);
    if (length === 'need') return { kind: 'need' };
    if (length < 0) return { kind: 'reject', reason: 'framing' };
    const decoded = decodeAsciiHex(bytes.subarray(1, 1 + HEX_CHARS))!;
    const data = decoded.subarray(0, DATA_BYTES);
    if (xor(data) !== decoded[DATA_BYTES]) return { kind: 'reject', reason: 'checksum' };
    const cardNumber = new DataView(data.buffer, data.byteOffset + 1, 4).getUint32(0);
    return {
      kind: 'frame',
      length,
      frame: { kind: 'tag', dataHex: hexUpper(data), cardNumber: String(cardNumber).padStart(10, '0') },
    };
  },
};

export function createEm4100Decoder(limits?: ScannerLimits): FrameScanner<Em4100Frame> {
  return new FrameScanner(em4100Protocol, limits);
}

/** A reader frame for a 5-byte tag (version + 4 bytes, as 10 hex digits); `crlf` as some readers send. */
export function encodeEm4100Frame(dataHex: string, options: { readonly crlf?: boolean } = {}): Uint8Array {
  const data = fromHex(dataHex, 'EM4100 data');
  if (data.length !== DATA_BYTES)
    throw new RangeError(`EM4100 data is ${DATA_BYTES} bytes, got ${data.length}`);
  const ascii = `${hexUpper(data)}${hexUpper(new Uint8Array([xor(data)]))}${options.crlf === true ? '\r\n' : ''}`;
  const frame = new Uint8Array(ascii.length + 2);
  frame[0] = STX;
  for (let i = 0; i < ascii.length; i++) frame[i + 1] = ascii.charCodeAt(i);
  frame[frame.length - 1] = ETX;
  return frame;
}
