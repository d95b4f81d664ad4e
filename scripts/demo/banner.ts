import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './layout.ts';

/**
 * The banner printed once the network runs: where to look, and the demo item's QR code in the
 * terminal. `qrcode` is a dependency of @suyuan/cloud, loaded from there (the repo root has no
 * runtime dependencies of its own).
 */
export interface DemoUrls {
  consumer: string;
  consumerOnReplica: string | null;
  regulator: string;
  regulatorLogin: { username: string; password: string };
  gatewayStatus: string;
  replicas: string[];
  mqtt: string;
  demoItem: string;
}

interface QrModule {
  toString(text: string, options: { type: 'terminal'; small: boolean }): Promise<string>;
}

export async function terminalQr(url: string): Promise<string> {
  const require = createRequire(join(repoRoot, 'cloud/package.json'));
  const qrcode = require('qrcode') as QrModule;
  return qrcode.toString(url, { type: 'terminal', small: true });
}

export async function bannerText(urls: DemoUrls): Promise<string> {
  const lines = [
    '',
    'Suyuan (溯源) local network is running. Ctrl-C stops everything.',
    '',
    `  Consumer page of the demo item  ${urls.consumer}`,
    ...(urls.consumerOnReplica ? [`  (same page on replica 0)        ${urls.consumerOnReplica}`] : []),
    `  Regulator dashboard             ${urls.regulator}  (login ${urls.regulatorLogin.username} / ${urls.regulatorLogin.password}, demo only)`,
    `  Farmer / gateway status         ${urls.gatewayStatus}`,
    `  Replica APIs                    ${urls.replicas.join('  ')}`,
    `  Gateway MQTT broker             ${urls.mqtt}`,
    '',
    `  Scan the demo item (${urls.demoItem}):`,
    await terminalQr(urls.consumer),
  ];
  return lines.join('\n');
}
