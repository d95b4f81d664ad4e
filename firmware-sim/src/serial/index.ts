/**
 * Simulated serial field devices: UHF and R2000 RFID readers, an EM4100 card reader and a Modbus RTU
 * soil probe, as pure cores, plus the line (chunking, noise) and a thin port adapter.
 */
export * from './checksums.ts';
export * from './command-scanner.ts';
export * from './device-frames.ts';
export * from './device-port.ts';
export * from './em4100-reader.ts';
export * from './r2000-reader.ts';
export * from './serial-device.ts';
export * from './simulated-line.ts';
export * from './soil-probe-device.ts';
export * from './uhf-module.ts';
