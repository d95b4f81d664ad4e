import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../cluster/harness.ts';

/** `pnpm start` flags: help exits 0; bad flags name the problem and exit 2 before anything starts. */
function start(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('pnpm start flags', { timeout: 120_000 }, () => {
  it('prints help', () => {
    const r = start(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--data-dir');
    expect(r.out).toContain('--no-devices');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--n', '3'], '--n must be an integer in 4..64'],
    [['--n', 'four'], '--n must be an integer'],
    [
      ['--mode', 'gpbft', '--groups', '3'],
      '--groups 3 with --n 8: a group would have 2 replicas, fewer than 4',
    ],
    [['--mode', 'gpbft', '--n', '7'], '--groups 2 with --n 7'],
    [['--groups', '2'], '--groups needs --mode gpbft'],
    [['--mode', 'raft'], '--mode must be pbft or gpbft'],
    [['extra'], 'positional'],
  ])('%j exits 2 with a clear message', (args, message) => {
    const r = start(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: pnpm start');
  });
});
