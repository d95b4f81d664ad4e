import { fromHex, toHex } from '@suyuan/shared';
import { crc16Genibus, crc16Modbus, negSum8, sum8, xor8 } from './checksums.ts';

/**
 * Frames as the devices send them, byte for byte as shared/vectors/serial-frames.json describes:
 * UHF 0xBB module notifications and responses, R2000 replies, EM4100 ASCII frames, Modbus RTU answers.
 */

export function uhfFrame(type: number, command: number, payload: Uint8Array = new Uint8Array()): Uint8Array {
  const frame = new Uint8Array(7 + payload.length);
  frame.set([0xbb, type, command, payload.length >>> 8, payload.length & 0xff]);
  frame.set(payload, 5);
  frame[frame.length - 2] = sum8(frame.subarray(1, frame.length - 2));
  frame[frame.length - 1] = 0x7e;
  return frame;
}

/** PC word of a plain Gen2 tag: EPC length in 16-bit words in the top 5 bits. */
export function pcForEpc(epc: Uint8Array): number {
  return (epc.length / 2) << 11;
}

export function uhfTagNotification(epcHex: string, rssiDbm: number): Uint8Array {
  const epc = fromHex(epcHex, 'EPC');
  const pc = pcForEpc(epc);
  const pcAndEpc = new Uint8Array([pc >>> 8, pc & 0xff, ...epc]);
  const crc = crc16Genibus(pcAndEpc);
  return uhfFrame(0x02, 0x22, new Uint8Array([rssiDbm & 0xff, ...pcAndEpc, crc >>> 8, crc & 0xff]));
}

export function uhfErrorResponse(code: number): Uint8Array {
  return uhfFrame(0x01, 0xff, new Uint8Array([code]));
}

export function r2000Frame(
  address: number,
  command: number,
  data: Uint8Array = new Uint8Array(),
): Uint8Array {
  const frame = new Uint8Array(5 + data.length);
  frame.set([0xa0, data.length + 3, address, command]);
  frame.set(data, 4);
  frame[frame.length - 1] = negSum8(frame.subarray(0, frame.length - 1));
  return frame;
}

export function r2000TagReply(address: number, antenna: number, epcHex: string, rssi: number): Uint8Array {
  const epc = fromHex(epcHex, 'EPC');
  const pc = pcForEpc(epc);
  return r2000Frame(
    address,
    0x89,
    new Uint8Array([antenna & 0x03, pc >>> 8, pc & 0xff, ...epc, rssi & 0xff]),
  );
}

export function r2000RoundEnd(
  address: number,
  antenna: number,
  readRate: number,
  totalReads: number,
): Uint8Array {
  const data = new Uint8Array(7);
  const view = new DataView(data.buffer);
  data[0] = antenna & 0x03;
  view.setUint16(1, readRate);
  view.setUint32(3, totalReads);
  return r2000Frame(address, 0x89, data);
}

export function em4100Frame(dataHex: string, crlf: boolean): Uint8Array {
  const data = fromHex(dataHex, 'EM4100 data');
  const checksum = xor8(data).toString(16).padStart(2, '0');
  const text = `\u0002${toHex(data)}${checksum}`.toUpperCase() + (crlf ? '\r\n' : '') + '\u0003';
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

export function withModbusCrc(body: Uint8Array): Uint8Array {
  const crc = crc16Modbus(body);
  return new Uint8Array([...body, crc & 0xff, crc >>> 8]);
}

export function modbusRegistersResponse(slave: number, registers: readonly number[]): Uint8Array {
  const body = [slave, 0x03, 2 * registers.length];
  for (const r of registers) body.push((r >>> 8) & 0xff, r & 0xff);
  return withModbusCrc(new Uint8Array(body));
}

export function modbusException(slave: number, fn: number, code: number): Uint8Array {
  return withModbusCrc(new Uint8Array([slave, fn | 0x80, code]));
}
