import { afterEach, describe, expect, it } from 'vitest';
import { LocalCluster, type LogEntry, Submitter, type WireRequest, waitUntil } from './harness.ts';

/**
 * Real replica processes on loopback. Each scenario kills replicas with SIGKILL, restarts them, and
 * checks the one property that matters: every acknowledged request is executed exactly once, in the
 * same order, on every replica (the executed logs are compared entry by entry).
 */
const consensus = {
  checkpointInterval: 4,
  watermarkWindow: 16,
  batchRequestsMax: 2,
  viewChangeTimeoutTicks: 60,
  viewChangeTimeoutTicksMax: 240,
  retransmitTicks: 20,
  fetchTimeoutTicks: 30,
};

let cluster: LocalCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const key = (e: { submitter: string; seq: number }) => `${e.submitter}#${e.seq}`;

/** Sends each request to every live replica (as a PBFT client does); returns the acknowledged ones. */
async function submitAll(c: LocalCluster, requests: WireRequest[]): Promise<WireRequest[]> {
  const acked: WireRequest[] = [];
  for (const request of requests) {
    const codes = await Promise.all(c.live.map((id) => c.submit(id, request)));
    if (codes.some((code) => code === 202 || code === 409)) acked.push(request);
  }
  return acked;
}

/** Waits until every live replica executed all `expected` requests, re-sending missing ones now and then. */
async function waitExecuted(c: LocalCluster, expected: WireRequest[], timeoutMs = 60_000): Promise<void> {
  let rounds = 0;
  await waitUntil(
    async () => {
      const statuses = await c.statuses();
      if (statuses.every((s) => s.app.executed >= expected.length)) return true;
      if (++rounds % 40 === 0) {
        const have = new Set((await c.log(c.live[0]!)).map(key));
        await submitAll(
          c,
          expected.filter((r) => !have.has(key(r))),
        );
      }
      return false;
    },
    `${expected.length} requests executed on replicas ${c.live.join(',')}`,
    timeoutMs,
  );
}

/** All live replicas have identical logs: no duplicate, nothing acknowledged missing. */
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

const batchOf = (submitters: Submitter[], count: number) =>
  Array.from({ length: count }, (_, i) => submitters[i % submitters.length]!.make());

describe('replica cluster (real processes)', { timeout: 150_000 }, () => {
  it('n=4: commits; survives kill -9 of a backup and of the primary; restarted replicas catch up', async () => {
    const c = await LocalCluster.create({ n: 4, consensus });
    cluster = c;
    await c.startAll();
    const clients = [new Submitter(), new Submitter()];
    const acked: WireRequest[] = [];

    acked.push(...(await submitAll(c, batchOf(clients, 24))));
    expect(acked).toHaveLength(24);
    await waitExecuted(c, acked);

    await c.kill(3); // a backup
    acked.push(...(await submitAll(c, batchOf(clients, 48))));
    await waitExecuted(c, acked);
    // More batches committed while 3 was down than the watermark window: the others truncated their
    // logs, so 3 can only catch up by fetching certified batches.
    expect((await c.status(0)).lastStableCheckpoint).toBeGreaterThan(consensus.watermarkWindow);

    await c.start(3);
    await waitExecuted(c, acked);
    expect((await c.status(3)).stateTransfer.fetchesSent).toBeGreaterThan(0);
    await expectAgreement(c, acked);

    const { primary } = await c.status(1);
    await c.kill(primary);
    acked.push(...(await submitAll(c, batchOf(clients, 24))));
    await waitExecuted(c, acked);
    const after = await c.statuses();
    expect(after.every((s) => s.view > 0 && s.primary !== primary)).toBe(true);

    await c.start(primary);
    acked.push(...(await submitAll(c, batchOf(clients, 8))));
    await waitExecuted(c, acked);
    const log = await expectAgreement(c, acked);
    expect(log).toHaveLength(acked.length);
  });

  it('n=7: commits with two down; stalls with f+1 down; everything pending commits when one returns', async () => {
    const c = await LocalCluster.create({ n: 7, consensus });
    cluster = c;
    await c.startAll();
    const clients = [new Submitter()];
    const acked: WireRequest[] = [];
    await c.kill(5);
    await c.kill(6);
    acked.push(...(await submitAll(c, batchOf(clients, 16))));
    await waitExecuted(c, acked);

    await c.kill(4); // three down: f + 1 for n = 7
    const before = (await c.statuses()).map((s) => s.lastExecuted);
    const stalled = await submitAll(c, batchOf(clients, 8));
    expect(stalled.length).toBeGreaterThan(0);
    // Proof that time passed without progress: the live replicas give up on the view and try others.
    await waitUntil(
      async () => (await c.statuses()).every((s) => s.inViewChange || s.view > 0),
      'a view change attempt',
    );
    expect((await c.statuses()).map((s) => s.lastExecuted)).toEqual(before);

    acked.push(...stalled);
    await c.start(4);
    await waitExecuted(c, acked);
    const log = await expectAgreement(c, acked);
    expect(log).toHaveLength(acked.length);
  });
});
