import { generateKeyPair } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { defaultFrameBytesMax } from '../replica/framing.ts';
import { encodeMessage } from './codec.ts';
import { defaultConsensusConfig } from './config.ts';
import { createReplicaCore } from './core.ts';
import { createConsensusCrypto } from './crypto.ts';
import type { ClientRequest, CommittedBatch, ConsensusMessage, ReplicaCore } from './types.ts';

const n = 4;
const keys = Array.from({ length: n }, () => generateKeyPair());
const publicKeys = keys.map((k) => k.publicKey);
const window = 64;
const requestsPerBatch = 4;
/** 4 × 256 KiB = 1 MiB per batch: a full window of prepared bodies is 64 MiB, 4× the frame limit. */
const body = new Uint8Array(256 * 1024).fill(7);
const req = (seq: number): ClientRequest => ({ submitter: 'client', seq, body });

/**
 * Four cores wired in-process. `blocked(from, to, message)` drops a message; every message that
 * crosses is also encoded, so the test sees the exact wire size of each view change and new view.
 */
function cluster() {
  const config = defaultConsensusConfig(publicKeys, {
    checkpointInterval: window / 2,
    watermarkWindow: window,
    batchRequestsMax: requestsPerBatch,
    batchBytesMax: requestsPerBatch * (body.length + 1024),
    batchDelayTicks: 1,
    inflightBatchesMax: window,
    pendingRequestsMax: window * requestsPerBatch,
    viewChangeTimeoutTicks: 10,
    retransmitTicks: 3,
  });
  const cores: ReplicaCore[] = keys.map((k, id) =>
    createReplicaCore({
      id,
      config,
      crypto: createConsensusCrypto({
        privateKey: k.privateKey,
        replicaPublicKeys: publicKeys,
        verifyRequest: () => true,
      }),
    }),
  );
  const committed: CommittedBatch[][] = cores.map(() => []);
  const wireBytes: Record<string, number> = {};
  let blocked: (from: number, to: number, m: ConsensusMessage) => boolean = () => false;
  const pump = (): void => {
    for (let round = 0; round < 500; round++) {
      let busy = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        busy = true;
        for (const out of rd.messages) {
          const m = out.message;
          if (m.type === 'viewChange' || m.type === 'newView' || m.type === 'body') {
            wireBytes[m.type] = Math.max(wireBytes[m.type] ?? 0, encodeMessage(m).length);
          }
          const targets = out.to === 'all' ? [0, 1, 2, 3].filter((r) => r !== id) : [out.to];
          for (const t of targets) if (!blocked(id, t, m)) cores[t]!.step(id, m);
        }
        for (const batch of rd.committed) {
          committed[id]!.push(batch);
          core.executed(batch.seq, new Uint8Array(32).fill(batch.seq % 251));
        }
        core.advance(rd);
      });
      if (!busy) return;
    }
  };
  const ticks = (count: number): void => {
    for (let i = 0; i < count; i++) {
      for (const core of cores) core.tick();
      pump();
    }
  };
  const block = (rule: typeof blocked): void => {
    blocked = rule;
  };
  return { cores, committed, wireBytes, pump, ticks, block };
}

describe('view change with a full window of 1 MiB batches', () => {
  it('carries digests only (messages far under the frame limit); a replica lacking bodies fetches them', () => {
    const c = cluster();
    // Phase 1: the whole window prepares at 0, 1 and 2, nothing commits, replica 3 sees no pre-prepare.
    c.block((_from, to, m) => m.type === 'commit' || (to === 3 && m.type === 'prePrepare'));
    const total = window * requestsPerBatch;
    for (let seq = 1; seq <= total; seq++) {
      for (const core of c.cores) core.propose(req(seq));
    }
    c.ticks(window + 4);
    expect(c.cores.every((core) => core.status().lastExecuted === 0)).toBe(true);
    expect(window * requestsPerBatch * body.length).toBeGreaterThan(defaultFrameBytesMax);

    // Phase 2: the primary falls silent; the others change view and replica 3 must fetch bodies.
    c.block((from, to) => from === 0 || to === 0);
    c.ticks(200);
    const status = c.cores.slice(1).map((core) => core.status());
    // Replicas agree on the view (≥ 1) and on how far they executed, the whole window at least.
    expect(new Set(status.map((s) => `${s.view}/${s.lastExecuted}`)).size).toBe(1);
    expect(status[0]!.view).toBeGreaterThanOrEqual(1);
    expect(status[0]!.lastExecuted).toBeGreaterThanOrEqual(window);

    // Bounded messages: a prepared proof is ~0.3 KB, a body is one batch (1 MiB).
    expect(c.wireBytes.viewChange).toBeGreaterThan(0);
    expect(c.wireBytes.viewChange!).toBeLessThan(64 * 1024);
    expect(c.wireBytes.newView!).toBeLessThan(4 * 64 * 1024);
    expect(c.wireBytes.body!).toBeGreaterThan(requestsPerBatch * body.length);
    expect(c.wireBytes.body!).toBeLessThan(defaultFrameBytesMax);

    // Replica 3 executed exactly the batches the others did, bodies included.
    const digests = (id: number) =>
      c.committed[id]!.map((b) => Buffer.from(b.certificate.batchDigest).toString('hex'));
    expect(digests(3)).toEqual(digests(1));
    // The first window is the prepared one, in order; re-proposed duplicates after it are skipped
    // by execution (exactly once per (submitter, seq)).
    expect(c.committed[3]!.slice(0, window).flatMap((b) => b.requests.map((r) => r.seq))).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
  });

  it('refuses a body that does not hash to the digest asked for', () => {
    const c = cluster();
    const core = c.cores[3]!;
    const digest = new Uint8Array(32).fill(1);
    core.step(1, { type: 'body', seq: 1, batchDigest: digest, requests: [req(1)], replica: 1 });
    expect(core.status().dropped.unaskedBody).toBe(1);
    core.step(1, { type: 'fetchBody', seq: 1, batchDigest: digest, replica: 1 });
    expect(core.status().dropped.bodyUnknown).toBe(1);
  });
});
