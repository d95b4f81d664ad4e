import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReplicaConfig } from '../replica/config.ts';
import { keygen } from '../replica/keygen.ts';
import { tempDirs } from '../replica/test-support.ts';
import { subjectAltNames } from './tls-keygen.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('keygen --tls', () => {
  it('writes a cluster CA and one certificate per replica, signed by it, named in each config', async () => {
    const dir = dirs.make();
    const { configs } = await keygen({
      n: 4,
      outDir: dir,
      host: 'replica.example',
      basePort: 47_000,
      tls: true,
    });
    const ca = new X509Certificate(readFileSync(`${dir}/ca.cert.pem`));
    expect(ca.ca).toBe(true);
    expect(statSync(`${dir}/ca.key.pem`).mode & 0o777).toBe(0o600);
    const serials = new Set<string>();
    for (const [id, path] of configs.entries()) {
      const config = loadReplicaConfig(path);
      expect(config.tls).toEqual({
        cert: `${dir}/replica-${id}.tls.cert.pem`,
        key: `${dir}/replica-${id}.tls.key.pem`,
        ca: `${dir}/ca.cert.pem`,
      });
      expect(statSync(config.tls!.key).mode & 0o777).toBe(0o600);
      const cert = new X509Certificate(readFileSync(config.tls!.cert));
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.checkHost('replica.example')).toBe('replica.example');
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(cert.subject).toBe(`CN=replica-${id}`);
      serials.add(cert.serialNumber);
    }
    expect(serials.size).toBe(4);
    await expect(keygen({ n: 4, outDir: dir, host: '127.0.0.1', tls: true })).rejects.toThrow(
      /never overwrites/,
    );
  });

  it('lists hosts as IP or DNS names, loopback always included', () => {
    expect(subjectAltNames(['10.0.0.5', 'pi.local'])).toBe(
      'IP:10.0.0.5,DNS:pi.local,DNS:localhost,IP:127.0.0.1,IP:::1',
    );
  });
});
