import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@suyuan/shared';

/**
 * A local cluster CA and per-replica certificates, made with the `openssl` CLI (present on Debian,
 * Raspberry Pi OS and the CI image; scripts/setup.sh installs it). Keys are EC P-256, written 0600.
 */
export const caFiles = { cert: 'ca.cert.pem', key: 'ca.key.pem' } as const;
export const caDaysValid = 3650;
export const certDaysValid = 825;

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new InputError('tls.openssl', `openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates `ca.cert.pem` and `ca.key.pem` in `dir`; refuses to overwrite a CA key. */
export function createClusterCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, caFiles.cert);
  const key = join(dir, caFiles.key);
  if (existsSync(key)) throw new InputError('config.invalid', `${key} exists; keygen never overwrites a key`);
  openssl([
    'req',
    '-x509',
    '-new',
    ...ecKey,
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    String(caDaysValid),
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(key, 0o600);
  return { cert, key };
}

/** The SAN list: the given hosts plus loopback, each as IP or DNS as it parses. */
export function subjectAltNames(hosts: readonly string[]): string {
  const all = [...new Set([...hosts, 'localhost', '127.0.0.1', '::1'])];
  return all.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

/**
 * Issues `<name>.tls.cert.pem` / `<name>.tls.key.pem` in `dir`, signed by the CA, valid for
 * server and client auth (a replica is both), naming `hosts` for HTTPS clients.
 */
export function issueCertificate(
  dir: string,
  ca: { cert: string; key: string },
  name: string,
  hosts: readonly string[],
): { cert: string; key: string } {
  const cert = join(dir, `${name}.tls.cert.pem`);
  const key = join(dir, `${name}.tls.key.pem`);
  if (existsSync(key)) throw new InputError('config.invalid', `${key} exists; keygen never overwrites a key`);
  const work = mkdtempSync(join(tmpdir(), 'suyuan-tls-'));
  try {
    const csr = join(work, 'req.csr');
    const ext = join(work, 'ext.cnf');
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth,clientAuth',
        `subjectAltName=${subjectAltNames(hosts)}`,
        '',
      ].join('\n'),
    );
    openssl(['req', '-new', ...ecKey, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
    chmodSync(key, 0o600);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-out',
      cert,
      '-days',
      String(certDaysValid),
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-extfile',
      ext,
      '-sha256',
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { cert, key };
}
