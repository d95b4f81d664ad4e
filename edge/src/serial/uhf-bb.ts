import { fromHex } from '@suyuan/shared';
import { crc16Genibus } from './crc.ts';
import { type FrameProbe, type FrameProtocol, FrameScanner, type ScannerLimits } from './frame-scanner.ts';
import { hexUpper } from './hex.ts';

/**
 * UHF EPC Gen2 modules of the M100 / JRD-100 / YRM100 family (115200 8N1):
 *   BB | type | command | length (u16 BE) | payload | checksum | 7E
 * checksum = low byte of the sum of type..last payload byte. Frames are cut by the length field only:
 * 0x7E and 0xBB are ordinary payload bytes (an EPC may contain either).
 */

export const uhfFrameType = { command: 0x00, response: 0x01, notification: 0x02 } as const;
export const uhfCommand = { singlePoll: 0x22, multiPoll: 0x27, stopMultiPoll: 0x28, error: 0xff } as const;

const START = 0xbb;
const END = 0x7e;
const OVERHEAD_BYTES = 7;
/** Largest payload we accept; the module's longest reply (tag + TID read) is well under this. */
export const uhfPayloadBytesMax = 256;
/** `count` field of the multi-poll command is 16 bits. */
export const uhfMultiPollCountMax = 0xffff;

export type UhfFrame =
  | {
      readonly kind: 'tag';
      readonly rssiDbm: number;
      readonly pc: number;
      readonly epcHex: string;
      /** The Gen2 CRC-16 the tag sent matches PC + EPC (a module may forward reads with a bad tag CRC). */
      readonly tagCrcOk: boolean;
    }
  | { readonly kind: 'error'; readonly code: number }
  /** Any other well-formed frame: commands, responses, notifications we do not interpret. */
  | {
      readonly kind: 'command' | 'response' | 'notification';
      readonly command: number;
      readonly payloadHex: string;
    };

function sum8(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** Number of EPC bytes a Gen2 protocol-control word announces (length field = top 5 bits, in words). */
export function epcBytesFromPc(pc: number): number {
  return (pc >>> 11) * 2;
}

function interpret(
  type: number,
  command: number,
  payload: Uint8Array,
): { frame: UhfFrame; malformed: boolean } {
  if (type === uhfFrameType.notification && command === uhfCommand.singlePoll) {
    const tag = interpretTag(payload);
    if (tag) return { frame: tag, malformed: false };
    return { frame: { kind: 'notification', command, payloadHex: hexUpper(payload) }, malformed: true };
  }
  if (type === uhfFrameType.response && command === uhfCommand.error && payload.length === 1) {
    return { frame: { kind: 'error', code: payload[0]! }, malformed: false };
  }
  const kind =
    type === uhfFrameType.command ? 'command' : type === uhfFrameType.response ? 'response' : 'notification';
  return { frame: { kind, command, payloadHex: hexUpper(payload) }, malformed: false };
}

function interpretTag(payload: Uint8Array): UhfFrame | undefined {
  if (payload.length < 5) return undefined;
  const pc = (payload[1]! << 8) | payload[2]!;
  const epcBytes = epcBytesFromPc(pc);
  if (payload.length !== 1 + 2 + epcBytes + 2) return undefined;
  const pcAndEpc = payload.subarray(1, 3 + epcBytes);
  const tagCrc = (payload[3 + epcBytes]! << 8) | payload[4 + epcBytes]!;
  return {
    kind: 'tag',
    rssiDbm: (payload[0]! << 24) >> 24,
    pc,
    epcHex: hexUpper(payload.subarray(3, 3 + epcBytes)),
    tagCrcOk: crc16Genibus(pcAndEpc) === tagCrc,
  };
}

export const uhfProtocol: FrameProtocol<UhfFrame> = {
  frameBytesMax: OVERHEAD_BYTES + uhfPayloadBytesMax,
  isStart: (byte) => byte === START,
  probe(bytes): FrameProbe<UhfFrame> {
    if (bytes.length < 5) return { kind: 'need' };
    const type = bytes[1]!;
    if (type > uhfFrameType.notification) return { kind: 'reject', reason: 'framing' };
    const payloadLength = (bytes[3]! << 8) | bytes[4]!;
    if (payloadLength > uhfPayloadBytesMax) return { kind: 'reject', reason: 'oversize' };
    const length = OVERHEAD_BYTES + payloadLength;
    if (bytes.length < length) return { kind: 'need' };
    if (bytes[length - 1] !== END) return { kind: 'reject', reason: 'framing' };
    if (sum8(bytes.subarray(1, length - 2)) !== bytes[length - 2])
      return { kind: 'reject', reason: 'checksum' };
    const { frame, malformed } = interpret(type, bytes[2]!, bytes.subarray(5, 5 + payloadLength));
    return { kind: 'frame', length, frame, malformed };
  },
};

export function createUhfDecoder(limits?: ScannerLimits): FrameScanner<UhfFrame> {
  return new FrameScanner(uhfProtocol, limits);
}

export function encodeUhfFrame(
  type: number,
  command: number,
  payload: Uint8Array = new Uint8Array(),
): Uint8Array {
  if (payload.length > uhfPayloadBytesMax) {
    throw new RangeError(
      `UHF payload is ${payload.length} bytes, uhfPayloadBytesMax is ${uhfPayloadBytesMax}`,
    );
  }
  const frame = new Uint8Array(OVERHEAD_BYTES + payload.length);
  frame.set([START, type, command, payload.length >>> 8, payload.length & 0xff]);
  frame.set(payload, 5);
  frame[frame.length - 2] = sum8(frame.subarray(1, frame.length - 2));
  frame[frame.length - 1] = END;
  return frame;
}

export function encodeUhfSinglePoll(): Uint8Array {
  return encodeUhfFrame(uhfFrameType.command, uhfCommand.singlePoll);
}

/** Multi-poll: the module runs `count` inventory rounds, notifying every tag it sees. */
export function encodeUhfMultiPoll(count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 1 || count > uhfMultiPollCountMax) {
    throw new RangeError(`multi-poll count must be 1..${uhfMultiPollCountMax}, got ${count}`);
  }
  return encodeUhfFrame(
    uhfFrameType.command,
    uhfCommand.multiPoll,
    new Uint8Array([0x22, count >>> 8, count & 0xff]),
  );
}

export function encodeUhfStopMultiPoll(): Uint8Array {
  return encodeUhfFrame(uhfFrameType.command, uhfCommand.stopMultiPoll);
}

export interface UhfTagInput {
  readonly epcHex: string;
  readonly rssiDbm: number;
  /** Defaults to the PC word a plain Gen2 tag sends for this EPC length (length bits only). */
  readonly pc?: number;
}

export function encodeUhfTagNotification(tag: UhfTagInput): Uint8Array {
  const epc = fromHex(tag.epcHex, 'EPC');
  const pc = tag.pc ?? (epc.length / 2) << 11;
  const pcAndEpc = new Uint8Array(2 + epc.length);
  pcAndEpc.set([pc >>> 8, pc & 0xff]);
  pcAndEpc.set(epc, 2);
  const crc = crc16Genibus(pcAndEpc);
  const payload = new Uint8Array(1 + pcAndEpc.length + 2);
  payload[0] = tag.rssiDbm & 0xff;
  payload.set(pcAndEpc, 1);
  payload.set([crc >>> 8, crc & 0xff], 1 + pcAndEpc.length);
  return encodeUhfFrame(uhfFrameType.notification, uhfCommand.singlePoll, payload);
}

export function encodeUhfError(code: number): Uint8Array {
  return encodeUhfFrame(uhfFrameType.response, uhfCommand.error, new Uint8Array([code & 0xff]));
}
