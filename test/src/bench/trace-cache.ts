import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import { schemaVersion } from '@suyuan/cloud/ledger/schema';
import { fromBase64Url, toBase64Url } from '@suyuan/shared';
import { type BenchLedger, benchLedgerBuilderVersion, buildBenchLedger } from './trace-ledger.ts';

/**
 * Built bench ledgers are cached under `.data/bench/trace/` (git-ignored), keyed by size, ledger
 * schema version and builder version: a 1M-block ledger takes minutes to build and seconds to
 * reopen. A ledger is built under a temporary name and renamed only when complete, with a sidecar
 * JSON holding what the bench needs besides the file (replica public keys, the traced lineage, the
 * configuration, the original build time).
 */

interface Sidecar {
  blocks: number;
  schemaVersion: number;
  builderVersion: number;
  buildMs: number;
  config: unknown;
  replicaKeys: string[];
  target: BenchLedger['target'];
}

export function cachedLedgerPath(cacheDir: string, blocks: number): string {
  return join(cacheDir, `trace-${blocks}-schema${schemaVersion}-builder${benchLedgerBuilderVersion}.sqlite`);
}

/** Opens the cached ledger of this size, or builds (and caches) it; `cached` says which. */
export function benchLedger(
  cacheDir: string,
  blocks: number,
): { ledger: BenchLedger; cached: boolean; path: string } {
  mkdirSync(cacheDir, { recursive: true });
  const path = cachedLedgerPath(cacheDir, blocks);
  const sidecarPath = `${path}.json`;
  if (existsSync(path) && existsSync(sidecarPath)) {
    const side = JSON.parse(readFileSync(sidecarPath, 'utf8')) as Sidecar;
    const machine = new LedgerMachine(path, parseLedgerConfig(side.config));
    const ledger: BenchLedger = {
      machine,
      config: side.config,
      replicaKeys: side.replicaKeys.map((k) => fromBase64Url(k)),
      target: side.target,
      buildMs: side.buildMs,
    };
    return { ledger, cached: true, path };
  }
  const building = `${path}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  const built = buildBenchLedger(building, blocks);
  built.machine.db.pragma('wal_checkpoint(TRUNCATE)');
  built.machine.close();
  const side: Sidecar = {
    blocks,
    schemaVersion,
    builderVersion: benchLedgerBuilderVersion,
    buildMs: built.buildMs,
    config: built.config,
    replicaKeys: built.replicaKeys.map(toBase64Url),
    target: built.target,
  };
  renameSync(building, path);
  writeFileSync(sidecarPath, `${JSON.stringify(side)}\n`);
  const machine = new LedgerMachine(path, parseLedgerConfig(side.config));
  return { ledger: { ...built, machine }, cached: false, path };
}
