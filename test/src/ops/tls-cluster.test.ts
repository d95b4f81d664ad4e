import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@suyuan/cloud/ops/logger';
import { createClusterCa, issueCertificate } from '@suyuan/cloud/ops/tls-keygen';
import { loadReplicaConfig } from '@suyuan/cloud/replica/config';
import { consensusBindings } from '@suyuan/cloud/replica/consensus-bindings';
import { keygen } from '@suyuan/cloud/replica/keygen';
import { type ReplicaNode, startReplica } from '@suyuan/cloud/replica/replica-node';
import { signedRequest } from '@suyuan/cloud/replica/request-auth';
import { generateKeyPair, toBase64Url } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../cluster/harness.ts';
import { sample } from './prom-text.ts';

/**
 * Four replicas in this process over mutual TLS (keygen --tls): a replica whose certificate
 * another CA signed is refused by the others while the three commit; started again with its
 * cluster certificate it joins and catches up. The HTTP API answers over HTTPS to a client that
 * trusts the cluster CA and to no other. /metrics and the JSON-line logs show what happened.
 */
const dirs: string[] = [];
const nodes = new Map<number, ReplicaNode>();
afterEach(async () => {
  for (const node of nodes.values()) await node.close();
  nodes.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lines: Record<string, unknown>[] = [];
function logger(id: number) {
  const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
  return createLogger({ component: 'replica', identity: { replica: id }, destination });
}

async function start(config: string): Promise<ReplicaNode> {
  const loaded = loadReplicaConfig(config);
  const node = await startReplica(loaded, consensusBindings, { logger: logger(loaded.id) });
  nodes.set(loaded.id, node);
  return node;
}

async function metrics(node: ReplicaNode): Promise<string> {
  const res = await node.http.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

const alice = generateKeyPair();
async function commit(node: ReplicaNode, seq: number): Promise<number> {
  const request = signedRequest(alice, seq, [{ reading: seq }], 1_700_000_000_000 + seq);
  const res = await node.http.request('/v1/requests?wait=commit', {
    method: 'POST',
    body: JSON.stringify({ submitter: request.submitter, seq, body: toBase64Url(request.body) }),
  });
  const json = (await res.json()) as { status: string; batchSeq?: number };
  expect(json.status).toBe('committed');
  return json.batchSeq!;
}

function httpsGet(port: number, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('replicas over TLS', () => {
  it('refuses a peer certified by another CA, commits with the cluster CA, serves HTTPS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-tls-'));
    dirs.push(dir);
    const { configs } = await keygen({ n: 4, outDir: dir, host: '127.0.0.1', tls: true });
    // Replica 3 with the right Ed25519 key but a TLS identity from a CA the cluster does not know.
    const rogue = join(dir, 'rogue');
    mkdirSync(rogue);
    const rogueCa = createClusterCa(rogue, 'another CA');
    const rogueCert = issueCertificate(rogue, rogueCa, 'replica-3', ['127.0.0.1']);
    const rogueConfig = JSON.parse(readFileSync(configs[3]!, 'utf8'));
    rogueConfig.keyFile = '../replica-3.key.pem';
    rogueConfig.dataDir = '../data-3';
    rogueConfig.tls = { cert: rogueCert.cert, key: rogueCert.key, ca: rogueCa.cert };
    writeFileSync(join(rogue, 'replica-3.json'), JSON.stringify(rogueConfig));

    const good = await Promise.all(configs.slice(0, 3).map(start));
    let rogueNode = await start(join(rogue, 'replica-3.json'));
    expect(await commit(good[0]!, 1)).toBeGreaterThanOrEqual(1);
    const tlsRefusals = await waitUntil(async () => {
      const text = await metrics(good[0]!);
      const refused = sample(text, 'suyuan_replica_dropped_messages_total', { reason: 'tlsFailed' }) ?? 0;
      return refused > 0 ? text : undefined;
    }, 'a TLS refusal of the rogue peer');
    expect(sample(tlsRefusals, 'suyuan_replica_peers_connected', { direction: 'in' })).toBe(2);
    expect(
      lines.some((l) => l.event === 'tlsFailed' && l.level === 'warn' && l.component === 'replica'),
    ).toBe(true);

    await rogueNode.close();
    nodes.delete(3);
    rogueNode = await start(configs[3]!);
    await waitUntil(async () => {
      const text = await metrics(good[0]!);
      return sample(text, 'suyuan_replica_peers_connected', { direction: 'in' }) === 3;
    }, 'replica 3 connected with its cluster certificate');
    const last = await commit(good[1]!, 2);
    await waitUntil(
      async () => sample(await metrics(rogueNode), 'suyuan_replica_last_executed') === last,
      'replica 3 catching up',
    );
    const text = await metrics(good[0]!);
    expect(sample(text, 'suyuan_replica_committed_requests_total')).toBe(2);
    expect(sample(text, 'suyuan_replica_commit_latency_seconds_count')).toBe(1);
    expect(sample(text, 'suyuan_replica_persist_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'suyuan_replica_view')).toBe(0);

    const ca = readFileSync(join(dir, 'ca.cert.pem'));
    const port = good[0]!.httpPort;
    expect(await httpsGet(port, ca)).toEqual({ status: 200, body: '{"ok":true}' });
    await expect(httpsGet(port)).rejects.toThrow(/self[- ]signed|unable to verify/i);
    await expect(httpsGet(port, readFileSync(rogueCa.cert))).rejects.toThrow();
  }, 60_000);
});
