// Issue #4: N = 16 in 4 groups on real processes, kill -9 of one member per group (one a
// representative), restart; runs 60-128 s at machine load 20-28 (session 4), mostly process start-up.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalCluster,
  type LogEntry,
  type ReplicaStatus,
  Submitter,
  type WireRequest,
  waitUntil,
} from './harness.ts';

/**
 * Grouped PBFT in real replica processes (issue #4): N = 16 in 4 groups of 4 (each group tolerates
 * one fault, the top level over 4 groups tolerates one group). The counter/log app; every client
 * sends its requests to the members of one group (its entry group). Checks the one property that
 * matters: every acknowledged request is executed exactly once, in the same order, on every replica.
 */
const consensus = {
  checkpointInterval: 4,
  watermarkWindow: 16,
  batchRequestsMax: 4,
  viewChangeTimeoutTicks: 100,
  viewChangeTimeoutTicksMax: 400,
  retransmitTicks: 20,
  fetchTimeoutTicks: 30,
};
const n = 16;
const g = 4;

interface GroupedReplicaStatus extends ReplicaStatus {
  mode: string;
  group: number;
  representative: number;
  isRepresentative: boolean;
  topView: number;
  topLastExecuted: number;
}

let cluster: LocalCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const key = (e: { submitter: string; seq: number }) => `${e.submitter}#${e.seq}`;

async function groupedCluster(): Promise<LocalCluster> {
  const c = await LocalCluster.create({ n, consensus });
  for (const path of c.configs) {
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    config.mode = 'gpbft';
    config.groups = { count: g, seed: 'gpbft-cluster-test' };
    writeFileSync(path, JSON.stringify(config, null, 2));
  }
  return c;
}

const statusOf = async (c: LocalCluster, id: number) => (await c.status(id)) as GroupedReplicaStatus;
const statusesOf = async (c: LocalCluster) => (await c.statuses()) as GroupedReplicaStatus[];

/** Sends each request to every live member of its client's entry group; returns the acknowledged ones. */
async function submitTo(c: LocalCluster, members: number[], requests: WireRequest[]): Promise<WireRequest[]> {
  const acked: WireRequest[] = [];
  for (const request of requests) {
    const live = members.filter((id) => c.live.includes(id));
    const codes = await Promise.all(live.map((id) => c.submit(id, request)));
    if (codes.some((code) => code === 202 || code === 409)) acked.push(request);
  }
  return acked;
}

class Client {
  readonly submitter = new Submitter();
  readonly sent = new Set<string>();
  readonly members: number[];
  constructor(members: number[]) {
    this.members = members;
  }
  async send(c: LocalCluster, count: number): Promise<WireRequest[]> {
    const requests = Array.from({ length: count }, () => this.submitter.make());
    for (const request of requests) this.sent.add(key(request));
    return submitTo(c, this.members, requests);
  }
}

/** Waits until every live replica executed all `expected` requests, re-sending missing ones now and then. */
async function waitExecuted(c: LocalCluster, clients: Client[], expected: WireRequest[]): Promise<void> {
  let rounds = 0;
  await waitUntil(
    async () => {
      const statuses = await c.statuses();
      if (statuses.every((s) => s.app.executed >= expected.length)) return true;
      if (++rounds % 40 === 0) {
        const have = new Set((await c.log(c.live[0]!)).map(key));
        for (const client of clients) {
          const missing = expected.filter((r) => client.sent.has(key(r)) && !have.has(key(r)));
          await submitTo(c, client.members, missing);
        }
      }
      return false;
    },
    `${expected.length} requests executed on replicas ${c.live.join(',')}`,
    60_000,
  );
}

/** All live replicas have identical logs: no duplicate, nothing acknowledged missing, same state. */
async function expectAgreement(c: LocalCluster, acknowledged: WireRequest[]): Promise<LogEntry[]> {
  const logs = await Promise.all(c.live.map((id) => c.log(id)));
  const reference = logs[0]!.map((e) => `${key(e)}@${e.batchSeq}`);
  for (const log of logs) expect(log.map((e) => `${key(e)}@${e.batchSeq}`)).toEqual(reference);
  const keys = logs[0]!.map(key);
  expect(new Set(keys).size).toBe(keys.length);
  const executed = new Set(keys);
  expect(acknowledged.filter((r) => !executed.has(key(r)))).toEqual([]);
  const statuses = await c.statuses();
  expect(new Set(statuses.map((s) => `${s.lastExecuted}/${s.app.stateDigest}`)).size).toBe(1);
  return logs[0]!;
}

describe('grouped PBFT cluster (real processes)', { timeout: 180_000 }, () => {
  it('N=16 in 4 groups: commits; kill -9 of one member per group incl. a representative; restarted ones catch up', async () => {
    const c = await groupedCluster();
    cluster = c;
    await c.startAll();
    const first = await statusesOf(c);
    expect(first.every((s) => s.mode === 'gpbft')).toBe(true);
    const groups = Array.from({ length: g }, (_, j) => first.filter((s) => s.group === j).map((s) => s.id));
    expect(groups.map((members) => members.length)).toEqual([4, 4, 4, 4]);
    const clients = groups.map((members) => new Client(members));
    const acked: WireRequest[] = [];

    for (const client of clients) acked.push(...(await client.send(c, 6)));
    expect(acked).toHaveLength(24);
    await waitExecuted(c, clients, acked);

    // One member of every group; in group 0 it is the representative (a group of 4 tolerates one).
    // Only in group 0 the representative (the top level tolerates one representative change at a
    // time; killing every group's member 0 would kill all four representatives).
    const representatives = await Promise.all(
      groups.map(async (members) => (await statusOf(c, members[0]!)).representative),
    );
    const representative0 = representatives[0]!;
    const victims = groups.map((members, j) =>
      j === 0 ? representative0 : members.find((id) => id !== representatives[j])!,
    );
    expect(victims.filter((id) => representatives.includes(id))).toEqual([representative0]);
    for (const id of victims) await c.kill(id);
    for (const client of clients) acked.push(...(await client.send(c, 8)));
    await waitExecuted(c, clients, acked);
    const during = await statusesOf(c);
    const group0 = during.filter((s) => s.group === 0);
    expect(group0.every((s) => s.representative !== representative0)).toBe(true);

    for (const id of victims) await c.start(id);
    for (const client of clients) acked.push(...(await client.send(c, 4)));
    await waitExecuted(c, clients, acked);
    const log = await expectAgreement(c, acked);
    expect(log).toHaveLength(acked.length);
    const last = await statusesOf(c);
    expect(new Set(last.map((s) => s.topLastExecuted)).size).toBe(1);
  });
});
