import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReplicaConfig, parseReplicaConfig } from './config.ts';
import { keygen } from './keygen.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('replica config', () => {
  it('keygen writes 0600 keys and configs that load, with paths resolved against the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-keygen-'));
    dirs.push(dir);
    const { configs } = await keygen({ n: 4, outDir: dir, host: '127.0.0.1', basePort: 17000 });
    const config = loadReplicaConfig(configs[2]!);
    expect(config.id).toBe(2);
    expect(config.listen).toMatchObject({ peerPort: 17004, httpPort: 17005 });
    expect(config.keyFile).toBe(join(dir, 'replica-2.key.pem'));
    expect(config.dataDir).toBe(join(dir, 'data-2'));
    expect(config.replicaPublicKeys).toHaveLength(4);
    expect(statSync(config.keyFile).mode & 0o777).toBe(0o600);
    await expect(keygen({ n: 4, outDir: dir, host: '127.0.0.1' })).rejects.toThrow(/never overwrites/);
  });

  it('names the offending field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-keygen-'));
    dirs.push(dir);
    const { configs } = await keygen({ n: 4, outDir: dir, host: '127.0.0.1', basePort: 17100 });
    const good = JSON.parse(readFileSync(configs[0]!, 'utf8')) as Record<string, unknown> & {
      peers: { id: number }[];
    };
    const bad = (patch: Record<string, unknown>) => () => parseReplicaConfig({ ...good, ...patch }, dir);
    expect(bad({ id: 9 })).toThrow(/id: no peer with id 9/);
    expect(bad({ listen: { peerPort: 70000, httpPort: 1 } })).toThrow(/listen\.peerPort/);
    expect(bad({ consensus: { batchRequestsMax: 0 } })).toThrow(/consensus\.batchRequestsMax/);
    expect(bad({ consensus: { nonsense: 1 } })).toThrow(/consensus/);
    expect(bad({ peers: good.peers.slice(0, 3) })).toThrow(/at least 4 replicas/);
    expect(bad({ peers: [...good.peers].reverse() })).toThrow(/peers\.0\.id: expected id 0/);
    expect(bad({ app: 'chess' })).toThrow(/app/);
    expect(() => loadReplicaConfig(join(dir, 'missing.json'))).toThrow(/cannot read config/);
  });
});

describe('replica config: mode gpbft', () => {
  async function sixteen(): Promise<{ dir: string; configs: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-keygen-'));
    dirs.push(dir);
    const { configs } = await keygen({ n: 16, outDir: dir, host: '127.0.0.1', basePort: 17200, groups: 4 });
    return { dir, configs };
  }

  it('keygen --groups writes mode gpbft with a public seed; every config yields the same layout', async () => {
    const { configs } = await sixteen();
    const loaded = configs.map((path) => loadReplicaConfig(path));
    expect(loaded[0]!.mode).toBe('gpbft');
    expect(loaded[0]!.groups).toMatchObject({ count: 4, seed: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const layout = loaded[0]!.layout!;
    expect(layout.groups.map((members) => members.length)).toEqual([4, 4, 4, 4]);
    expect(layout.groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const config of loaded) expect(config.layout).toEqual(layout);
  });

  it('accepts a bare group count and explicit membership; refuses bad layouts with clear errors', async () => {
    const { dir, configs } = await sixteen();
    const good = JSON.parse(readFileSync(configs[0]!, 'utf8')) as Record<string, unknown>;
    const parse = (patch: Record<string, unknown>) => parseReplicaConfig({ ...good, ...patch }, dir);
    expect(parse({ groups: 4 }).layout!.groups).toHaveLength(4);
    const members = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
      [12, 13, 14, 15],
    ];
    expect(parse({ groups: { members } }).layout!.groups).toEqual(members);
    expect(parse({ groups: 1 }).layout!.groups).toHaveLength(1);
    expect(parse({ mode: 'pbft', groups: undefined }).layout).toBeUndefined();
    const bad = (patch: Record<string, unknown>) => () => parse(patch);
    expect(parse({ groups: 2 }).layout!.groups).toHaveLength(2);
    expect(bad({ groups: 5 })).toThrow(/group \d has 3 members \(< 4\)/);
    expect(bad({ groups: { members: [...members.slice(0, 3), [12, 13, 14, 16]] } })).toThrow(
      /names replica 16 \(n = 16\)/,
    );
    expect(bad({ groups: { members: [...members.slice(0, 3), [12, 13, 14, 0]] } })).toThrow(
      /replica 0 is in two groups/,
    );
    expect(bad({ groups: undefined })).toThrow(/groups: mode 'gpbft' needs groups/);
    expect(bad({ mode: 'pbft' })).toThrow(/groups: groups needs mode 'gpbft'/);
    expect(bad({ mode: 'raft' })).toThrow(/mode/);
    // Session 5: the ledger runs on gpbft (its proofs carry grouped state certificates).
    expect(parse({ app: 'ledger' }).app).toBe('ledger');
    await expect(keygen({ n: 16, outDir: join(dir, 'x'), host: '127.0.0.1', groups: 5 })).rejects.toThrow(
      /has 3 members \(< 4\)/,
    );
  });
});
