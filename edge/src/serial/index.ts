/**
 * Serial side of the edge gateway: pure frame decoders and encoders per protocol, tag-read debouncing,
 * the soil-probe register map, and thin adapters that keep ports open and poll devices.
 */
export * from './backoff.ts';
export * from './crc.ts';
export * from './em4100.ts';
export * from './epc-identity.ts';
export * from './frame-scanner.ts';
export * from './modbus-poller.ts';
export * from './modbus-rtu.ts';
export { devicePathExists, openNodeSerialPort } from './node-serial-port.ts';
export * from './r2000.ts';
export * from './reader-drivers.ts';
export * from './serial-link.ts';
export * from './serial-soil-probe.ts';
export * from './serial-tag-reader.ts';
export * from './soil-probe.ts';
export * from './tag-debouncer.ts';
export * from './tag-read-source.ts';
export * from './timers.ts';
export * from './uhf-bb.ts';
