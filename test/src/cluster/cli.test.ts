import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './harness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'cloud/src/cli.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('suyuan-cloud CLI', { timeout: 60_000 }, () => {
  it('keygen writes keys and configs for a local cluster', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-cli-'));
    dirs.push(dir);
    const { code, stdout } = cli('keygen', '--n', '4', '--out', dir, '--base-port', '17300');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { configs: string[] }).configs).toHaveLength(4);
    expect(readdirSync(dir).sort()).toContain('replica-3.key.pem');
    expect(statSync(join(dir, 'replica-0.key.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses bad flags and bad configs with a clear message and exit code 2', () => {
    const cases: [string[], RegExp][] = [
      // Each case is a process start (seconds under tsx), so one per kind of failure.
      [['launch'], /unknown command 'launch'/],
      [['keygen', '--n', 'four', '--out', '/tmp/x'], /--n must be a non-negative integer/],
      [['start', '--bogus'], /bogus/],
      [['start', '--config', '/nonexistent.json'], /cannot read config/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = cli(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
  });
});
