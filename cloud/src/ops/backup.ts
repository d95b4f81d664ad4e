import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { InputError, replicaSetId, toBase64Url } from '@suyuan/shared';
import Database from 'better-sqlite3';
import type { LoadedConfig } from '../replica/config.ts';

/**
 * Online backup and restore of one replica's data directory (docs/operations.md, "Backup, restore
 * and replacing a replica").
 *
 * Backup: every SQLite database in the data dir is copied with `VACUUM INTO` from a read
 * connection while the replica keeps running. It is one read transaction, so the copy is one
 * consistent snapshot even under load (in WAL mode the writer is never blocked, and unlike the
 * page-stepping backup API it never restarts when the replica writes meanwhile). The ledger lives
 * in replica.sqlite, so consensus state, committed batches and the ledger are one snapshot. Plain
 * config files (ledger.json) are copied too. The private key is NOT copied: it is a secret and is
 * kept (or re-issued) apart. A manifest records sizes, SHA-256 digests and heights.
 *
 * Restore: checks the manifest (format, cluster, replica id, digests), moves anything in the data
 * dir aside (`replaced-<stamp>/`) and puts the files in place; the replica then starts normally and
 * catches up from its peers by state transfer.
 */

export const backupFormat = 'suyuan-replica-backup';
export const backupFormatVersion = 1;
export const manifestFile = 'manifest.json';
/** Non-database files of a data dir that belong in a backup. */
const configFiles = ['ledger.json'];

export interface BackupManifest {
  format: typeof backupFormat;
  version: number;
  created: string;
  replicaId: number;
  /** replicaSetId of the peers' keys: a backup restores only into the same membership. */
  cluster: string;
  files: { name: string; bytes: number; sha256: string }[];
  heights: {
    /** Highest committed batch the replica had stored. */
    replicaLastBatch: number;
    /** Highest batch the ledger had applied (equal to the above: one transaction), if a ledger. */
    ledgerLastBatch: number | null;
    chains: Record<string, number>;
  };
}

function sha256File(path: string): string {
  return toBase64Url(createHash('sha256').update(readFileSync(path)).digest());
}

function databasesIn(dataDir: string): string[] {
  return readdirSync(dataDir).filter(
    (name) => name.endsWith('.sqlite') && statSync(join(dataDir, name)).isFile(),
  );
}

function heightsOf(path: string): BackupManifest['heights'] {
  const db = new Database(path, { readonly: true });
  try {
    const has = (table: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
    const replicaLastBatch = has('persist_records') ? one('SELECT MAX(seq) AS n FROM batches') : 0;
    const ledger = has('ledger_batches');
    const chains: Record<string, number> = {};
    if (ledger) {
      const rows = db.prepare('SELECT chain, MAX(height) AS h FROM blocks GROUP BY chain').all() as {
        chain: string;
        h: number;
      }[];
      for (const r of rows) chains[r.chain] = r.h;
    }
    return {
      replicaLastBatch,
      ledgerLastBatch: ledger ? one('SELECT MAX(seq) AS n FROM ledger_batches') : null,
      chains,
    };
  } finally {
    db.close();
  }
}

/** Copies the replica's data dir into `outDir` (created; must not exist or be empty). */
export function backupReplica(config: LoadedConfig, outDir: string, now = new Date()): BackupManifest {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new InputError('backup.exists', `${outDir} is not empty: choose a new directory`);
  }
  mkdirSync(outDir, { recursive: true });
  const databases = databasesIn(config.dataDir);
  if (!databases.includes('replica.sqlite')) {
    throw new InputError('backup.noData', `${config.dataDir} has no replica.sqlite`);
  }
  for (const name of databases) {
    const source = new Database(join(config.dataDir, name), { readonly: true, fileMustExist: true });
    try {
      source.prepare('VACUUM INTO ?').run(join(outDir, name));
    } finally {
      source.close();
    }
  }
  const copied = configFiles.filter((name) => existsSync(join(config.dataDir, name)));
  for (const name of copied) copyFileSync(join(config.dataDir, name), join(outDir, name));
  const manifest: BackupManifest = {
    format: backupFormat,
    version: backupFormatVersion,
    created: now.toISOString(),
    replicaId: config.id,
    cluster: replicaSetId(config.replicaPublicKeys),
    files: [...databases, ...copied].map((name) => ({
      name,
      bytes: statSync(join(outDir, name)).size,
      sha256: sha256File(join(outDir, name)),
    })),
    heights: heightsOf(join(outDir, 'replica.sqlite')),
  };
  writeFileSync(join(outDir, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Reads and checks a backup against the replica it is for; returns its manifest. */
export function checkBackup(config: LoadedConfig, fromDir: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(fromDir, manifestFile), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new InputError(
      'backup.invalid',
      `${fromDir}: no readable ${manifestFile}: ${(error as Error).message}`,
    );
  }
  if (manifest.format !== backupFormat || manifest.version !== backupFormatVersion) {
    throw new InputError('backup.invalid', `${fromDir} is not a ${backupFormat} v${backupFormatVersion}`);
  }
  if (manifest.cluster !== replicaSetId(config.replicaPublicKeys)) {
    throw new InputError(
      'backup.otherCluster',
      'the backup is of another replica set (peers and keys differ)',
    );
  }
  if (manifest.replicaId !== config.id) {
    throw new InputError(
      'backup.otherReplica',
      `the backup is of replica ${manifest.replicaId}, this config is replica ${config.id}`,
    );
  }
  for (const f of manifest.files) {
    if (!/^[A-Za-z0-9._-]+$/.test(f.name)) throw new InputError('backup.invalid', `bad file name ${f.name}`);
    const path = join(fromDir, f.name);
    if (!existsSync(path) || sha256File(path) !== f.sha256) {
      throw new InputError('backup.corrupt', `${f.name} is missing or does not match its digest`);
    }
  }
  return manifest;
}

/**
 * Restores a checked backup into the replica's data dir (the replica must be stopped). The state
 * files the data dir held are moved to `replaced-<stamp>/` inside it, never deleted.
 */
export function restoreReplica(
  config: LoadedConfig,
  fromDir: string,
  now = new Date(),
): { manifest: BackupManifest; movedAside: string | null } {
  const manifest = checkBackup(config, fromDir);
  mkdirSync(config.dataDir, { recursive: true });
  // Only state files move: a key or certificate kept in the data dir stays where it is.
  const present = readdirSync(config.dataDir).filter(
    (name) => /\.sqlite(-wal|-shm|-journal)?$/.test(name) || configFiles.includes(name),
  );
  let movedAside: string | null = null;
  if (present.length > 0) {
    movedAside = join(config.dataDir, `replaced-${now.toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(movedAside);
    for (const name of present) renameSync(join(config.dataDir, name), join(movedAside, name));
  }
  for (const f of manifest.files) {
    const target = join(config.dataDir, f.name);
    copyFileSync(join(fromDir, f.name), `${target}.restoring`);
    renameSync(`${target}.restoring`, target);
  }
  return { manifest, movedAside };
}
