// Issue #4: the same scenario as gpbft.test.ts with the 16 replicas in this process; 8-11 s on a quiet
// machine, up to ~150 s at load 30-40 (session 4).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReplicaConfig } from '@suyuan/cloud/replica/config';
import { consensusBindings } from '@suyuan/cloud/replica/consensus-bindings';
import { keygen } from '@suyuan/cloud/replica/keygen';
import { type ReplicaNode, startReplica } from '@suyuan/cloud/replica/replica-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Submitter, type WireRequest, waitUntil } from './harness.ts';

/**
 * Grouped PBFT through the whole replica stack (config, transport, driver, SQLite records, log app),
 * N = 16 in 4 groups, all replicas in this one process (16 tsx processes cost ~4 s CPU each to start;
 * the kill -9 variant with real processes is gpbft.test.ts). Replicas are stopped and restarted
 * from their data dirs; every acknowledged request must execute exactly once, in one order, everywhere.
 */
const consensus = {
  checkpointInterval: 4,
  watermarkWindow: 16,
  batchRequestsMax: 4,
  viewChangeTimeoutTicks: 300,
  viewChangeTimeoutTicksMax: 1200,
  retransmitTicks: 20,
  fetchTimeoutTicks: 30,
};

interface Status {
  id: number;
  mode: string;
  group: number;
  representative: number;
  lastExecuted: number;
  topLastExecuted: number;
  app: { executed: number; stateDigest: string };
}
interface Entry {
  position: number;
  submitter: string;
  seq: number;
  batchSeq: number;
}

let dir = '';
const nodes = new Map<number, ReplicaNode>();
afterEach(async () => {
  await Promise.all([...nodes.values()].map((node) => node.close()));
  nodes.clear();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const key = (e: { submitter: string; seq: number }) => `${e.submitter}#${e.seq}`;

async function call(id: number, path: string, body?: unknown): Promise<Response> {
  const node = nodes.get(id)!;
  return node.http.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}
const status = async (id: number) => (await (await call(id, '/v1/status')).json()) as Status;
const statuses = () => Promise.all([...nodes.keys()].map(status));

async function log(id: number): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let page = 0; page < 1000; page++) {
    const after = out.at(-1)?.position ?? 0;
    const { entries } = (await (await call(id, `/v1/app/log?after=${after}&limit=1000`)).json()) as {
      entries: Entry[];
    };
    if (entries.length === 0) break;
    out.push(...entries);
  }
  return out;
}

async function submit(members: number[], requests: WireRequest[]): Promise<WireRequest[]> {
  const acked: WireRequest[] = [];
  for (const request of requests) {
    const live = members.filter((id) => nodes.has(id));
    const codes = await Promise.all(live.map(async (id) => (await call(id, '/v1/requests', request)).status));
    if (codes.some((code) => code === 202 || code === 409)) acked.push(request);
  }
  return acked;
}

async function waitExecuted(expected: number): Promise<void> {
  try {
    await waitUntil(
      async () => (await statuses()).every((s) => s.app.executed >= expected),
      `${expected} requests executed on ${[...nodes.keys()].join(',')}`,
      120_000,
    );
  } catch (error) {
    const all = (await statuses()) as unknown as Record<string, unknown>[];
    const brief = all.map((s) =>
      JSON.stringify({
        id: s.id,
        group: s.group,
        rep: s.representative,
        view: s.view,
        ivc: s.inViewChange,
        topView: s.topView,
        isRep: s.isRepresentative,
        le: s.lastExecuted,
        gle: s.groupLastExecuted,
        pd: s.pendingDecisions,
        pr: s.pendingRequests,
        dropped: s.dropped,
        top: s.top,
      }),
    );
    throw new Error(`${(error as Error).message}\n${brief.join('\n')}`);
  }
}

describe('grouped PBFT through the replica stack (N=16, one process)', { timeout: 300_000 }, () => {
  it('commits; with one replica per group stopped (one a representative) it keeps committing; restarted ones catch up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'suyuan-gpbft-'));
    // Ports below the ephemeral range (32768+): with 16 replicas dialling each other, a free port
    // picked by keygen is otherwise often taken as the source port of a peer's outgoing connection.
    const basePort = 20_000 + (process.pid % 300) * 40;
    const { configs } = await keygen({ n: 16, outDir: dir, host: '127.0.0.1', groups: 4, basePort });
    for (const path of configs) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      config.consensus = consensus;
      writeFileSync(path, JSON.stringify(config));
    }
    const start = async (id: number) => {
      nodes.set(id, await startReplica(loadReplicaConfig(configs[id]!), consensusBindings));
    };
    await Promise.all(configs.map((_, id) => start(id)));
    const first = await statuses();
    expect(first.every((s) => s.mode === 'gpbft')).toBe(true);
    const groups = [0, 1, 2, 3].map((j) => first.filter((s) => s.group === j).map((s) => s.id));
    expect(groups.map((m) => m.length)).toEqual([4, 4, 4, 4]);
    const clients = groups.map((members) => ({ members, submitter: new Submitter() }));
    const acked: WireRequest[] = [];
    const round = async (count: number) => {
      for (const c of clients) {
        acked.push(
          ...(await submit(
            c.members,
            Array.from({ length: count }, () => c.submitter.make()),
          )),
        );
      }
    };
    await round(6);
    expect(acked).toHaveLength(24);
    await waitExecuted(acked.length);

    // One member of every group; only in group 0 the representative (the top level tolerates one
    // representative change at a time: killing every group's member 0 would kill all four).
    const representatives = await Promise.all(groups.map(async (m) => (await status(m[0]!)).representative));
    const representative0 = representatives[0]!;
    const victims = groups.map((m, j) =>
      j === 0 ? representative0 : m.find((id) => id !== representatives[j])!,
    );
    expect(victims.filter((id) => representatives.includes(id))).toEqual([representative0]);
    for (const id of victims) {
      await nodes.get(id)!.close();
      nodes.delete(id);
    }
    await round(8);
    expect(acked).toHaveLength(56);
    await waitExecuted(acked.length);
    const during = await statuses();
    expect(during.filter((s) => s.group === 0).every((s) => s.representative !== representative0)).toBe(true);

    for (const id of victims) await start(id);
    await round(4);
    await waitExecuted(acked.length);
    const logs = await Promise.all([...nodes.keys()].map(log));
    const reference = logs[0]!.map((e) => `${key(e)}@${e.batchSeq}`);
    for (const l of logs) expect(l.map((e) => `${key(e)}@${e.batchSeq}`)).toEqual(reference);
    expect(new Set(reference).size).toBe(acked.length);
    const executed = new Set(logs[0]!.map(key));
    expect(acked.filter((r) => !executed.has(key(r)))).toEqual([]);
    const last = await statuses();
    expect(new Set(last.map((s) => `${s.lastExecuted}/${s.topLastExecuted}/${s.app.stateDigest}`)).size).toBe(
      1,
    );
  });
});
