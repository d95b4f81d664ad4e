import { parseArgs } from 'node:util';
import { loadGatewayConfig } from '../../edge/src/gateway/config.ts';
import { Gateway } from '../../edge/src/gateway/gateway.ts';
import { loadPrivateKey, SeededRng } from '../../shared/src/index.ts';
import { SerialDemoSource } from './serial-source.ts';

/**
 * `suyuan-edge start` plus serial devices: the same daemon (Gateway.start, same ready line), with
 * the RFID reader and soil probe on the given paths as an extra ingest source. Used by `pnpm start`
 * only when socat is present; without serial paths it is `suyuan-edge start`.
 *
 *   node --import tsx scripts/demo/gateway-main.ts --config gateway/gateway.json \
 *     --rfid /dev/ttyUSB0 --probe /dev/ttyUSB1 [--probe-device coop-probe-1]
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    rfid: { type: 'string' },
    probe: { type: 'string' },
    'probe-device': { type: 'string', default: 'coop-probe-1' },
  },
});
if (!values.config) {
  console.error('gateway-main: --config is required');
  process.exit(2);
}
const config = loadGatewayConfig(values.config);
const key = loadPrivateKey(config.keyFile);
const serial = new SerialDemoSource({
  rfidPath: values.rfid ?? null,
  probePath: values.probe ?? null,
  readerId: 'packhouse-rfid-1',
  probeDeviceId: values['probe-device'],
});
const gateway = await Gateway.start(config, {
  key,
  rng: new SeededRng(Date.now() | 0),
  sources: [serial],
});
console.log(
  JSON.stringify({ ready: true, keyId: key.keyId, mqttPort: gateway.broker?.port ?? null, pid: process.pid }),
);
const stop = () => {
  gateway.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
