import { parseArgs } from 'node:util';
import {
  SerialDevicePort,
  SimulatedLine,
  SoilProbeDevice,
  UhfModule,
} from '../../firmware-sim/src/serial/index.ts';
import { SeededRng } from '../../shared/src/index.ts';

/**
 * Simulated serial field devices on one end of socat pseudo-terminals: a UHF RFID module (`0xBB`
 * frames) with a few SGTIN-96 tags in its field, and an RS485 Modbus soil probe whose soil drifts.
 * Bytes reach the line in small random chunks, as on a real UART.
 *
 *   node --import tsx scripts/demo/serial-devices-main.ts --rfid <pty> --probe <pty> [--seed 11]
 */
const { values } = parseArgs({
  options: { rfid: { type: 'string' }, probe: { type: 'string' }, seed: { type: 'string', default: '11' } },
});
const rng = new SeededRng(Number(values.seed) | 0);
/** SGTIN-96 tags on the packhouse reader (the same vectors the serial tests use). */
const demoTags = ['3074257BF7194E4000001A85', '3034257BF40C0E4000003039'];
const ports: SerialDevicePort[] = [];
const line = () => new SimulatedLine(rng.fork(), { chunkBytesMax: 8 });

if (values.rfid) {
  const device = new UhfModule({ tags: demoTags, rng: rng.fork(), roundIntervalMs: 1000 });
  ports.push(await SerialDevicePort.open({ path: values.rfid, baudRate: 115200, device, line: line() }));
}
if (values.probe) {
  const device = new SoilProbeDevice({ driftPerRead: true, rng: rng.fork() });
  ports.push(await SerialDevicePort.open({ path: values.probe, baudRate: 4800, device, line: line() }));
}
console.log(
  JSON.stringify({ event: 'serialDevicesOpen', rfid: values.rfid ?? null, probe: values.probe ?? null }),
);

const stop = () => {
  Promise.all(ports.map((p) => p.close())).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
