import { fromHex } from '@suyuan/shared';
import { type FrameProbe, type FrameProtocol, FrameScanner, type ScannerLimits } from './frame-scanner.ts';
import { hexUpper } from './hex.ts';
import { epcBytesFromPc } from './uhf-bb.ts';

/**
 * Impinj R2000 "CMD" serial protocol (many 1- and 4-port readers):
 *   A0 | len (bytes after itself, check included) | address | command | data | check
 * check = two's complement of the sum of all preceding bytes. The length byte bounds a frame to 257 bytes.
 */

export const r2000Command = { reset: 0x70, realTimeInventory: 0x89 } as const;
/** Single-byte status reply meaning "command succeeded"; any other single byte is an error code. */
export const r2000SuccessCode = 0x10;
/** Address 0xFF reaches any reader on the bus. */
export const r2000BroadcastAddress = 0xff;

const START = 0xa0;
const MIN_LEN = 3; // address, command, check
const ROUND_END_DATA_BYTES = 7;

export type R2000Frame =
  | {
      readonly kind: 'tag';
      readonly address: number;
      readonly antenna: number;
      /** Frequency-channel index (upper 6 bits of the FreqAnt byte). */
      readonly frequencyIndex: number;
      readonly pc: number;
      readonly epcHex: string;
      /** Raw RSSI byte as the reader sends it. */
      readonly rssi: number;
      /** Per the R2000 RSSI table (98 → -31 dBm ... 31 → -98 dBm): rssi - 129. */
      readonly rssiDbm: number;
    }
  | {
      readonly kind: 'roundEnd';
      readonly address: number;
      readonly antenna: number;
      /** Tags per second in the round. */
      readonly readRate: number;
      readonly totalReads: number;
    }
  | { readonly kind: 'error'; readonly address: number; readonly command: number; readonly code: number }
  /** Success acknowledgements, command echoes and replies we do not interpret. */
  | { readonly kind: 'reply'; readonly address: number; readonly command: number; readonly dataHex: string };

function twosComplementSum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

function interpret(
  address: number,
  command: number,
  data: Uint8Array,
): { frame: R2000Frame; malformed: boolean } {
  const reply = (): R2000Frame => ({ kind: 'reply', address, command, dataHex: hexUpper(data) });
  if (data.length === 1 && data[0] !== r2000SuccessCode) {
    return { frame: { kind: 'error', address, command, code: data[0]! }, malformed: false };
  }
  if (command !== r2000Command.realTimeInventory || data.length <= 1)
    return { frame: reply(), malformed: false };
  if (data.length === ROUND_END_DATA_BYTES) {
    const frame: R2000Frame = {
      kind: 'roundEnd',
      address,
      antenna: data[0]! & 0x03,
      readRate: (data[1]! << 8) | data[2]!,
      totalReads: ((data[3]! << 24) | (data[4]! << 16) | (data[5]! << 8) | data[6]!) >>> 0,
    };
    return { frame, malformed: false };
  }
  const pc = data.length >= 4 ? (data[1]! << 8) | data[2]! : 0;
  const epcBytes = epcBytesFromPc(pc);
  if (data.length !== 1 + 2 + epcBytes + 1) return { frame: reply(), malformed: true };
  const rssi = data[3 + epcBytes]!;
  const frame: R2000Frame = {
    kind: 'tag',
    address,
    antenna: data[0]! & 0x03,
    frequencyIndex: data[0]! >>> 2,
    pc,
    epcHex: hexUpper(data.subarray(3, 3 + epcBytes)),
    rssi,
    rssiDbm: rssi - 129,
  };
  return { frame, malformed: false };
}

/** Command codes of the R2000 CMD protocol (0x70 reset .. 0xB3 ISO 18000-6B); a reader sends no others. */
const COMMAND_MIN = 0x70;
const COMMAND_MAX = 0xbf;

export interface R2000DecoderOptions {
  /** The reader's own address: replies from any other address are noise. Undefined accepts any. */
  readonly address?: number;
}

/**
 * With an 8-bit check and no end byte, a false start (0xA0 in noise or inside an EPC) followed by a
 * length would pass the check once in 256 and swallow the real frames it spans. So the header is held
 * to what a reader can send (known command, expected address) before waiting for the length, and an
 * inventory reply whose layout is impossible is rejected rather than emitted.
 */
export function createR2000Protocol(options: R2000DecoderOptions = {}): FrameProtocol<R2000Frame> {
  return {
    frameBytesMax: 2 + 0xff,
    isStart: (byte) => byte === START,
    probe(bytes): FrameProbe<R2000Frame> {
      if (bytes.length < 2) return { kind: 'need' };
      const len = bytes[1]!;
      if (len < MIN_LEN) return { kind: 'reject', reason: 'framing' };
      if (bytes.length > 2 && options.address !== undefined && bytes[2] !== options.address) {
        return { kind: 'reject', reason: 'framing' };
      }
      if (bytes.length > 3 && (bytes[3]! < COMMAND_MIN || bytes[3]! > COMMAND_MAX)) {
        return { kind: 'reject', reason: 'framing' };
      }
      const length = 2 + len;
      if (bytes.length < length) return { kind: 'need' };
      if (twosComplementSum(bytes.subarray(0, length - 1)) !== bytes[length - 1]) {
        return { kind: 'reject', reason: 'checksum' };
      }
      const { frame, malformed } = interpret(bytes[2]!, bytes[3]!, bytes.subarray(4, length - 1));
      if (malformed) return { kind: 'reject', reason: 'framing' };
      return { kind: 'frame', length, frame };
    },
  };
}

export const r2000Protocol: FrameProtocol<R2000Frame> = createR2000Protocol();

export function createR2000Decoder(
  limits?: ScannerLimits,
  options: R2000DecoderOptions = {},
): FrameScanner<R2000Frame> {
  return new FrameScanner(createR2000Protocol(options), limits);
}

export function encodeR2000Frame(
  address: number,
  command: number,
  data: Uint8Array = new Uint8Array(),
): Uint8Array {
  const len = data.length + MIN_LEN;
  if (len > 0xff) throw new RangeError(`R2000 data is ${data.length} bytes, at most ${0xff - MIN_LEN} fit`);
  const frame = new Uint8Array(2 + len);
  frame.set([START, len, address, command]);
  frame.set(data, 4);
  frame[frame.length - 1] = twosComplementSum(frame.subarray(0, frame.length - 1));
  return frame;
}

/** One real-time inventory command: the reader runs `repeat` rounds, replying per tag and per round. */
export function encodeR2000RealTimeInventory(address: number, repeat: number): Uint8Array {
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 0xff) {
    throw new RangeError(`inventory repeat must be 1..255, got ${repeat}`);
  }
  return encodeR2000Frame(address, r2000Command.realTimeInventory, new Uint8Array([repeat]));
}

export function encodeR2000Reset(address: number): Uint8Array {
  return encodeR2000Frame(address, r2000Command.reset);
}

export interface R2000TagInput {
  readonly address: number;
  readonly antenna: number;
  readonly frequencyIndex?: number;
  readonly epcHex: string;
  readonly rssi: number;
  readonly pc?: number;
}

export function encodeR2000TagReply(tag: R2000TagInput): Uint8Array {
  const epc = fromHex(tag.epcHex, 'EPC');
  const pc = tag.pc ?? (epc.length / 2) << 11;
  const data = new Uint8Array(4 + epc.length);
  data.set([(((tag.frequencyIndex ?? 0) << 2) | (tag.antenna & 0x03)) & 0xff, pc >>> 8, pc & 0xff]);
  data.set(epc, 3);
  data[data.length - 1] = tag.rssi & 0xff;
  return encodeR2000Frame(tag.address, r2000Command.realTimeInventory, data);
}

export function encodeR2000RoundEnd(
  address: number,
  antenna: number,
  readRate: number,
  totalReads: number,
): Uint8Array {
  const data = new Uint8Array(ROUND_END_DATA_BYTES);
  const view = new DataView(data.buffer);
  data[0] = antenna & 0x03;
  view.setUint16(1, readRate);
  view.setUint32(3, totalReads);
  return encodeR2000Frame(address, r2000Command.realTimeInventory, data);
}

export function encodeR2000Error(address: number, command: number, code: number): Uint8Array {
  return encodeR2000Frame(address, command, new Uint8Array([code]));
}
