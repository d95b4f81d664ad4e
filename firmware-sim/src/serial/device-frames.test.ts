import { utf8 } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { crc16Genibus, crc16Modbus } from './checksums.ts';
import {
  em4100Frame,
  modbusRegistersResponse,
  r2000Frame,
  r2000RoundEnd,
  r2000TagReply,
  uhfErrorResponse,
  uhfTagNotification,
} from './device-frames.ts';
import { vectorBytes } from './serial-test-support.ts';

const EPC = '3074257BF7194E4000001A85';

describe('device frames match the shared vectors byte for byte', () => {
  it('checksums', () => {
    expect(crc16Modbus(utf8('123456789'))).toBe(0x4b37);
    expect(crc16Genibus(utf8('123456789'))).toBe(0xd64e);
  });

  it('UHF module', () => {
    expect(uhfTagNotification(EPC, -55)).toEqual(vectorBytes('uhf_bb_module', 'tag notification'));
    expect(uhfErrorResponse(0x09)).toEqual(vectorBytes('uhf_bb_module', 'error response'));
  });

  it('R2000', () => {
    expect(r2000TagReply(1, 0, EPC, 74)).toEqual(vectorBytes('impinj_r2000', 'inventory tag reply'));
    expect(r2000RoundEnd(1, 0, 30, 5)).toEqual(vectorBytes('impinj_r2000', 'end of inventory round'));
    expect(r2000Frame(1, 0x90, new Uint8Array([0x38]))).toEqual(vectorBytes('impinj_r2000', 'error reply'));
  });

  it('EM4100', () => {
    expect(em4100Frame('13005D1DA5', false)).toEqual(vectorBytes('em4100_ascii', 'tag 13005D1DA5'));
    expect(em4100Frame('1A004B7C3E', false)).toEqual(vectorBytes('em4100_ascii', 'tag 1A004B7C3E'));
    const crlf = em4100Frame('1A004B7C3E', true);
    expect(Array.from(crlf.subarray(13))).toEqual([0x0d, 0x0a, 0x03]);
  });

  it('Modbus soil probe', () => {
    const registers = [0x028c, 0xff9b, 0x04b0, 0x0044, 0x0028, 0x000c, 0x0055];
    expect(modbusRegistersResponse(1, registers)).toEqual(
      vectorBytes('modbus_rtu_soil_probe', 'response to read 7'),
    );
  });
});
