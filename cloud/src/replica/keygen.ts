import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generateKeyPair, InputError, publicKeyToText, replicaSetId, savePrivateKey } from '@suyuan/shared';
import { assignGroups } from '../gpbft/layout.ts';
import { caFiles, createClusterCa, issueCertificate } from '../ops/tls-keygen.ts';

export interface KeygenOptions {
  n: number;
  outDir: string;
  host: string;
  /** Peer port of replica i is basePort + 2i, its HTTP port basePort + 2i + 1; absent: free ports. */
  basePort?: number;
  /** Extra top-level config fields (e.g. consensus overrides) copied into every config. */
  extra?: Record<string, unknown>;
  /** Also create a cluster CA and a TLS certificate per replica, and turn `tls` on in the configs. */
  tls?: boolean;
  /** Grouped PBFT in this many groups (members dealt from a fresh public seed written to the configs). */
  groups?: number;
}

export interface KeygenResult {
  configs: string[];
  ports: { peerPort: number; httpPort: number }[];
}

/**
 * Ports freePort hands out: below Linux's ephemeral range (32768–60999). A port the kernel picked
 * with listen(0) lies inside that range, so between our probe and the replica's own listen an
 * outgoing connection (a peer dialling out, a test's HTTP client) could get it as its source port
 * and the replica would fail with EADDRINUSE; a port below the range is never handed out that way.
 * Each process walks its own block of the range (chosen by pid), so a process never hands out one
 * port twice in a row and parallel test processes do not pick each other's ports.
 */
export const freePortRange = { min: 20_000, max: 32_767 } as const;
/** Ports per process block: blocks = range size / this. */
export const freePortBlockSize = 64;
/** Probes (next ports of the block) before falling back to a kernel-chosen port. */
export const freePortAttemptsMax = 64;

const freePortBlocks = Math.floor((freePortRange.max - freePortRange.min + 1) / freePortBlockSize);
const freePortBlockStart = freePortRange.min + (process.pid % freePortBlocks) * freePortBlockSize;
let freePortNext = 0;

function listenOnce(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** The next port of this process's block, wrapping around. */
function nextBlockPort(): number {
  const port = freePortBlockStart + (freePortNext % freePortBlockSize);
  freePortNext++;
  return port;
}

/**
 * Asks for a free loopback port (see freePortRange). It may still be taken by another listener
 * before use; fine for a local cluster. `pick` is injectable for tests.
 */
export async function freePort(host: string, pick: () => number = nextBlockPort): Promise<number> {
  for (let attempt = 0; attempt < freePortAttemptsMax; attempt++) {
    const port = await listenOnce(host, pick());
    if (port !== null) return port;
  }
  const fallback = await listenOnce(host, 0);
  if (fallback === null) throw new Error(`no free port on ${host}`);
  return fallback;
}

/**
 * Writes a local cluster: replica-<i>.key.pem (PKCS#8, mode 0600) and replica-<i>.json for i in
 * 0..n-1, each config naming every replica's address and public key. Refuses to overwrite keys.
 */
export async function keygen(options: KeygenOptions): Promise<KeygenResult> {
  const { n, outDir, host } = options;
  if (!Number.isInteger(n) || n < 4)
    throw new InputError('config.invalid', `--n must be an integer ≥ 4, got ${n}`);
  mkdirSync(outDir, { recursive: true });
  const existing = Array.from({ length: n }, (_, id) => join(outDir, `replica-${id}.key.pem`)).find(
    existsSync,
  );
  if (existing) throw new InputError('config.invalid', `${existing} exists; keygen never overwrites a key`);
  const keys = Array.from({ length: n }, () => generateKeyPair());
  // The seed is drawn after the keys exist, so no key can be ground to land in a chosen group.
  const seed = randomBytes(16).toString('hex');
  if (options.groups !== undefined) {
    assignGroups(
      keys.map((k) => k.publicKey),
      options.groups,
      seed,
    ); // refuses a bad layout before anything is written
  }
  const grouped =
    options.groups === undefined ? {} : { mode: 'gpbft', groups: { count: options.groups, seed } };
  const ports: KeygenResult['ports'] = [];
  for (let i = 0; i < n; i++) {
    if (options.basePort !== undefined) {
      ports.push({ peerPort: options.basePort + 2 * i, httpPort: options.basePort + 2 * i + 1 });
    } else {
      ports.push({ peerPort: await freePort(host), httpPort: await freePort(host) });
    }
  }
  const peers = keys.map((key, id) => ({
    id,
    host,
    port: ports[id]!.peerPort,
    publicKey: publicKeyToText(key.publicKey),
  }));
  const configs: string[] = [];
  const ca = options.tls
    ? createClusterCa(outDir, `suyuan cluster ${replicaSetId(keys.map((k) => k.publicKey)).slice(0, 16)}`)
    : null;
  keys.forEach((key, id) => {
    const keyFile = `replica-${id}.key.pem`;
    savePrivateKey(join(outDir, keyFile), key.privateKey);
    const config = {
      id,
      keyFile,
      dataDir: `data-${id}`,
      listen: { host, peerPort: ports[id]!.peerPort, httpHost: host, httpPort: ports[id]!.httpPort },
      peers,
      app: 'log',
      ...grouped,
      ...(ca ? { tls: tlsFiles(outDir, ca, id, host) } : {}),
      ...options.extra,
    };
    const path = join(outDir, `replica-${id}.json`);
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
    configs.push(path);
  });
  return { configs, ports };
}

/** Issues replica `id`'s certificate; the config names the files relative to its own directory. */
function tlsFiles(outDir: string, ca: { cert: string; key: string }, id: number, host: string) {
  issueCertificate(outDir, ca, `replica-${id}`, [host]);
  return { cert: `replica-${id}.tls.cert.pem`, key: `replica-${id}.tls.key.pem`, ca: caFiles.cert };
}
