/**
 * The two CRC-16 variants the serial devices use. Bitwise on purpose: frames are tens of bytes, and a
 * table would be one more thing to get wrong. Names and check values follow the CRC RevEng catalogue.
 */

/** CRC-16/MODBUS: reflected poly 0x8005 (0xA001), init 0xFFFF, no final xor. Check("123456789") = 0x4B37. */
export function crc16Modbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/**
 * CRC-16/GENIBUS (the EPC Gen2 tag CRC): poly 0x1021, init 0xFFFF, not reflected, xorout 0xFFFF.
 * Check("123456789") = 0xD64E.
 */
export function crc16Genibus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc ^ 0xffff;
}
