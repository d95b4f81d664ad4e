import { fromHex, utf8 } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { crc16Genibus, crc16Modbus } from './crc.ts';

describe('CRC-16', () => {
  it('matches the catalogue check values', () => {
    expect(crc16Modbus(utf8('123456789'))).toBe(0x4b37);
    expect(crc16Genibus(utf8('123456789'))).toBe(0xd64e);
  });

  it('matches the CRCs carried in the vector frames', () => {
    // Modbus appends the CRC low byte first: 01 03 00 00 00 01 | 84 0A.
    expect(crc16Modbus(fromHex('010300000001'))).toBe(0x0a84);
    // Gen2 tag CRC over PC + EPC of the UHF notification vector.
    expect(crc16Genibus(fromHex('30003074257BF7194E4000001A85'))).toBe(0xaaf9);
  });

  it('handles the empty input', () => {
    expect(crc16Modbus(new Uint8Array())).toBe(0xffff);
    expect(crc16Genibus(new Uint8Array())).toBe(0x0000);
  });
});
