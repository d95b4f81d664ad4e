import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { InputError, toBase64Url } from '@suyuan/shared';
import type { Db } from '../gateway/database.ts';

/**
 * Per-device MQTT credentials: username = device id, password = a random secret shown once when the
 * device is added. Only an scrypt hash (random salt) is stored, so a copied database does not give
 * away device secrets. Verification runs on libuv's thread pool (async scrypt) so a burst of
 * reconnecting devices does not stall the broker's event loop.
 *
 * Cost N=2^14, r=1 (2 MiB per hash): the secrets are 192 random bits, not human passwords, so the
 * hash guards a leaked database, not a guessable secret; r=8 (16 MiB per hash) left each of libuv's
 * four threads with a 16 MiB glibc arena after a reconnect storm, +64 MB of resident memory on a
 * gateway whose budget is 150 MB. Parameters are stored with each hash, so they can be raised.
 */
const SCRYPT = { N: 16_384, r: 1, p: 1, keyBytes: 32, saltBytes: 16 };
const deviceIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

function scryptAsync(
  secret: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, SCRYPT.keyBytes, { ...params, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await scryptAsync(secret, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export class DeviceCredentials {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS device_credential (
      device_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, created_ms INTEGER NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0)`);
  }

  /** Adds (or re-keys) a device and returns its new secret; the secret is not stored. */
  async add(deviceId: string, nowMs: number, secret = toBase64Url(randomBytes(24))): Promise<string> {
    if (!deviceIdPattern.test(deviceId)) {
      throw new InputError(
        'device.badId',
        `device id ${JSON.stringify(deviceId)}: 1-64 of A-Z a-z 0-9 . _ : -`,
      );
    }
    const hash = await hashSecret(secret);
    this.db
      .prepare(
        `INSERT INTO device_credential (device_id, secret_hash, created_ms) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET secret_hash = excluded.secret_hash, disabled = 0`,
      )
      .run(deviceId, hash, nowMs);
    return secret;
  }

  disable(deviceId: string): boolean {
    return (
      this.db.prepare('UPDATE device_credential SET disabled = 1 WHERE device_id = ?').run(deviceId)
        .changes === 1
    );
  }

  async verify(deviceId: string, secret: string): Promise<boolean> {
    const row = this.db
      .prepare('SELECT secret_hash FROM device_credential WHERE device_id = ? AND disabled = 0')
      .get(deviceId) as { secret_hash: string } | undefined;
    if (!row) return false;
    return secretMatches(secret, row.secret_hash);
  }

  list(): { deviceId: string; createdMs: number; disabled: boolean }[] {
    const rows = this.db
      .prepare('SELECT device_id, created_ms, disabled FROM device_credential ORDER BY device_id')
      .all() as { device_id: string; created_ms: number; disabled: number }[];
    return rows.map((r) => ({ deviceId: r.device_id, createdMs: r.created_ms, disabled: r.disabled === 1 }));
  }
}
