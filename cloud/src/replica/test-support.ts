import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommittedBatch } from '../consensus/types.ts';

/** Temp dirs for one test file; call `cleanup` in afterEach. */
export function tempDirs() {
  const dirs: string[] = [];
  return {
    make(prefix = 'suyuan-replica-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function fakeBatch(
  seq: number,
  requests: { submitter: string; seq: number; body?: string }[],
): CommittedBatch {
  const digest = new Uint8Array(32).fill(seq % 256);
  return {
    seq,
    view: 0,
    requests: requests.map((r) => ({
      submitter: r.submitter,
      seq: r.seq,
      body: new Uint8Array(Buffer.from(r.body ?? `b${r.seq}`)),
    })),
    certificate: {
      view: 0,
      seq,
      batchDigest: digest,
      signatures: [{ replica: 1, signature: new Uint8Array(64).fill(9) }],
    },
  };
}
