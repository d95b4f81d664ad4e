import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { InputError } from '@suyuan/shared';

/** PEM bytes of one replica's TLS identity and the cluster CA that pins every peer. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
}

export function loadTlsMaterial(paths: TlsPaths): TlsMaterial {
  const read = (field: keyof TlsPaths): Buffer => {
    try {
      return readFileSync(paths[field]);
    } catch (error) {
      throw new InputError(
        'config.invalid',
        `tls.${field}: cannot read ${paths[field]}: ${(error as Error).message}`,
      );
    }
  };
  return { cert: read('cert'), key: read('key'), ca: read('ca') };
}

/**
 * Peer connections are mutual TLS 1.3 where the ONLY trusted root is the cluster CA (not the
 * system store): a peer whose certificate another CA signed never gets to the replica handshake.
 * Which replica is on the other end is still proven by the Ed25519 handshake inside the tunnel,
 * so the host name in the certificate is not checked (replicas move between addresses; the key
 * they sign with does not).
 */
export function peerServerTls(material: TlsMaterial): TlsOptions {
  return { ...material, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' };
}

export function peerClientTls(material: TlsMaterial): ConnectionOptions {
  return {
    ...material,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
    checkServerIdentity: () => undefined,
  };
}

/** The HTTP API's server options: clients check the name and the chain against the cluster CA. */
export function apiServerTls(material: TlsMaterial): { cert: Buffer; key: Buffer } {
  return { cert: material.cert, key: material.key };
}
