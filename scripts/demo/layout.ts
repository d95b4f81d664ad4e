import { join, resolve } from 'node:path';

/** Where everything of one demo network lives inside its data dir (see docs/operations.md). */
export const repoRoot = resolve(import.meta.dirname, '../..');

export function demoLayout(dataDir: string) {
  return {
    dataDir,
    /** Choices fixed at first start (n, ports) and the demo item, so a restart is the same network. */
    demoFile: join(dataDir, 'demo.json'),
    /** Written once everything is up: the URLs the banner prints (scripts and tests read it). */
    urlsFile: join(dataDir, 'urls.json'),
    replicasDir: join(dataDir, 'replicas'),
    replicaConfig: (i: number) => join(dataDir, 'replicas', `replica-${i}.json`),
    replicaDataDir: (i: number) => join(dataDir, 'replicas', `data-${i}`),
    partiesDir: join(dataDir, 'parties'),
    partyKey: (name: string) => join(dataDir, 'parties', `${name}.key.pem`),
    gatewayDir: join(dataDir, 'gateway'),
    gatewayConfig: join(dataDir, 'gateway', 'gateway.json'),
    deviceSecrets: join(dataDir, 'gateway', 'device-secrets.json'),
    devicesDir: join(dataDir, 'devices'),
    logDir: join(dataDir, 'logs'),
  };
}

export type DemoLayout = ReturnType<typeof demoLayout>;

export const cloudCli = join(repoRoot, 'cloud/src/cli.ts');
export const edgeCli = join(repoRoot, 'edge/src/cli.ts');

/** `node --import tsx <script>`: one process per child (no tsx wrapper process to orphan). */
export const tsxArgs = (script: string, args: string[]) => ['--import', 'tsx', script, ...args];
