import { crc16Modbus } from './crc.ts';
import {
  type DecoderStats,
  type FrameProbe,
  type FrameProtocol,
  FrameScanner,
  type ScannerLimits,
} from './frame-scanner.ts';

/**
 * Modbus RTU, master side, function 03 (read holding registers). RTU has no start byte and no length
 * field in the request/response pair, but the master knows what it asked: the decoder is told the
 * expected response and resynchronises on the CRC-16/MODBUS (appended low byte first).
 */

export const modbusFunction = { readHoldingRegisters: 0x03 } as const;
const EXCEPTION_FLAG = 0x80;
/** Protocol limit: a read-holding-registers response carries at most 125 registers (250 data bytes). */
export const modbusRegistersPerReadMax = 125;
const RESPONSE_OVERHEAD_BYTES = 5; // slave, function, byte count, CRC(2)
const EXCEPTION_BYTES = 5; // slave, function | 0x80, code, CRC(2)

export interface ModbusExpectation {
  readonly slave: number;
  readonly registerCount: number;
}

export type ModbusFrame =
  | { readonly kind: 'registers'; readonly slave: number; readonly registers: readonly number[] }
  | { readonly kind: 'exception'; readonly slave: number; readonly function: number; readonly code: number };

function crcMatches(frame: Uint8Array): boolean {
  const n = frame.length;
  const crc = crc16Modbus(frame.subarray(0, n - 2));
  return frame[n - 2] === (crc & 0xff) && frame[n - 1] === crc >>> 8;
}

function appendCrc(body: Uint8Array): Uint8Array {
  const crc = crc16Modbus(body);
  const frame = new Uint8Array(body.length + 2);
  frame.set(body);
  frame[body.length] = crc & 0xff;
  frame[body.length + 1] = crc >>> 8;
  return frame;
}

function assertRegisterCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > modbusRegistersPerReadMax) {
    throw new RangeError(`register count must be 1..${modbusRegistersPerReadMax}, got ${count}`);
  }
}

function assertSlave(slave: number): void {
  if (!Number.isInteger(slave) || slave < 1 || slave > 247)
    throw new RangeError(`slave must be 1..247, got ${slave}`);
}

class ModbusResponseProtocol implements FrameProtocol<ModbusFrame> {
  readonly frameBytesMax = RESPONSE_OVERHEAD_BYTES + 2 * modbusRegistersPerReadMax;
  expected: ModbusExpectation | undefined;

  isStart(byte: number): boolean {
    return this.expected !== undefined && byte === this.expected.slave;
  }

  probe(bytes: Uint8Array): FrameProbe<ModbusFrame> {
    const expected = this.expected!;
    if (bytes.length < 2) return { kind: 'need' };
    const fn = bytes[1]!;
    const isException = fn === (modbusFunction.readHoldingRegisters | EXCEPTION_FLAG);
    if (fn !== modbusFunction.readHoldingRegisters && !isException)
      return { kind: 'reject', reason: 'framing' };
    if (bytes.length < 3) return { kind: 'need' };
    if (!isException && bytes[2] !== 2 * expected.registerCount) return { kind: 'reject', reason: 'framing' };
    const length = isException ? EXCEPTION_BYTES : RESPONSE_OVERHEAD_BYTES + 2 * expected.registerCount;
    if (bytes.length < length) return { kind: 'need' };
    const frameBytes = bytes.subarray(0, length);
    if (!crcMatches(frameBytes)) return { kind: 'reject', reason: 'checksum' };
    const frame: ModbusFrame = isException
      ? { kind: 'exception', slave: expected.slave, function: fn & ~EXCEPTION_FLAG, code: bytes[2]! }
      : {
          kind: 'registers',
          slave: expected.slave,
          registers: readRegisters(frameBytes, expected.registerCount),
        };
    return { kind: 'frame', length, frame };
  }
}

function readRegisters(frame: Uint8Array, count: number): number[] {
  const registers: number[] = [];
  for (let i = 0; i < count; i++) registers.push((frame[3 + 2 * i]! << 8) | frame[4 + 2 * i]!);
  return registers;
}

/** Decodes the responses to one outstanding request at a time; bytes arriving with none expected are skipped. */
export class ModbusResponseDecoder {
  private readonly protocol = new ModbusResponseProtocol();
  private readonly scanner: FrameScanner<ModbusFrame>;

  constructor(limits?: ScannerLimits) {
    this.scanner = new FrameScanner(this.protocol, limits);
  }

  /** A new request went out: forget stale bytes and look for its response. */
  expect(expectation: ModbusExpectation | undefined): void {
    if (expectation) {
      assertSlave(expectation.slave);
      assertRegisterCount(expectation.registerCount);
    }
    this.scanner.reset();
    this.protocol.expected = expectation;
  }

  push(chunk: Uint8Array): ModbusFrame[] {
    return this.scanner.push(chunk);
  }

  flush(): ModbusFrame[] {
    return this.scanner.flush();
  }

  get bufferedBytes(): number {
    return this.scanner.bufferedBytes;
  }

  get stats(): Readonly<DecoderStats> {
    return this.scanner.stats;
  }
}

export function encodeReadHoldingRegisters(slave: number, address: number, count: number): Uint8Array {
  assertSlave(slave);
  assertRegisterCount(count);
  if (!Number.isInteger(address) || address < 0 || address + count > 0x10000) {
    throw new RangeError(`register range ${address}+${count} is outside 0..65535`);
  }
  const body = new Uint8Array([
    slave,
    modbusFunction.readHoldingRegisters,
    address >>> 8,
    address & 0xff,
    0,
    count,
  ]);
  return appendCrc(body);
}

export function encodeReadHoldingRegistersResponse(slave: number, registers: readonly number[]): Uint8Array {
  assertSlave(slave);
  assertRegisterCount(registers.length);
  const body = new Uint8Array(3 + 2 * registers.length);
  body.set([slave, modbusFunction.readHoldingRegisters, 2 * registers.length]);
  registers.forEach((value, i) => {
    body[3 + 2 * i] = (value >>> 8) & 0xff;
    body[4 + 2 * i] = value & 0xff;
  });
  return appendCrc(body);
}

export function encodeModbusException(slave: number, fn: number, code: number): Uint8Array {
  assertSlave(slave);
  return appendCrc(new Uint8Array([slave, (fn | EXCEPTION_FLAG) & 0xff, code & 0xff]));
}
