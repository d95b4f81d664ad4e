import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoUsers } from '../../cloud/src/web/demo.ts';
import { type ReplicaWebConfig, webConfigFile } from '../../cloud/src/web/replica-web.ts';
import { demoGtin } from './events.ts';
import type { DemoLayout } from './layout.ts';
import { partyId } from './parties.ts';
import { type DemoFile, demoDevices, serialProbeDeviceId } from './setup.ts';

/**
 * The web pages on every ledger replica: `web.json` in each replica's data dir (the replica mounts
 * the consumer pages, QR codes and regulator dashboard on its own HTTP port when the file is there).
 * It holds what the pages need that a ledger does not: the product and its cold chain band, the
 * field every demo lot grows on and its devices, coarse regions, the demo accounts and the
 * regulator's key for holds. Written on every start, so data dirs from older runs get it too.
 */
export const demoProduct = {
  gtin: demoGtin,
  name: { zh: '樱桃番茄', en: 'Cherry tomatoes' },
  companyPrefixLength: 7,
  coldChain: { minC: 2, maxC: 8, excursionMinutesMax: 30 },
};

export async function writeReplicaWebConfigs(layout: DemoLayout, file: DemoFile): Promise<void> {
  const users = await demoUsers();
  const region = 'CN-YN';
  const regions = Object.fromEntries(
    ['lotus-coop', 'hills-processing', 'swift-cold', 'fresh-market'].map((p) => [partyId(p), region]),
  );
  file.replicaHttpPorts.forEach((httpPort, i) => {
    const config: ReplicaWebConfig = {
      publicBase: `http://127.0.0.1:${httpPort}`,
      regulatorKeyFile: resolve(layout.partyKey('food-safety')),
      users,
      catalog: {
        products: [demoProduct],
        lotOrigin: {
          farmId: partyId('lotus-coop'),
          plot: {
            sgln: 'urn:epc:id:sgln:0690123.00001.1',
            name: { zh: '莲谷一号田', en: 'Lotus Valley field 1' },
            region,
            deviceIds: [
              ...demoDevices.filter((d) => d.kind !== 'coldChain').map((d) => d.deviceId),
              serialProbeDeviceId,
            ],
          },
        },
        regions,
        loggerDeviceIds: demoDevices.filter((d) => d.kind === 'coldChain').map((d) => d.deviceId),
      },
    };
    writeFileSync(join(layout.replicaDataDir(i), webConfigFile), `${JSON.stringify(config, null, 2)}\n`);
  });
}
