/**
 * Checksums the simulated devices put on the wire. Written here rather than imported from the gateway:
 * firmware-sim talks to the edge over serial lines only, and a second implementation checked against
 * the same vectors catches mistakes a shared one would hide.
 */

/** CRC-16/MODBUS (reflected 0xA001, init 0xFFFF). Check("123456789") = 0x4B37. */
export function crc16Modbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** CRC-16/GENIBUS, the EPC Gen2 tag CRC (0x1021, init 0xFFFF, xorout 0xFFFF). Check = 0xD64E. */
export function crc16Genibus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc ^ 0xffff;
}

/** Low byte of the plain sum (UHF 0xBB modules). */
export function sum8(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** Two's complement of the sum (Impinj R2000 check byte). */
export function negSum8(bytes: Uint8Array): number {
  return (0x100 - sum8(bytes)) & 0xff;
}

export function xor8(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}
