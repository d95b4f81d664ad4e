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
