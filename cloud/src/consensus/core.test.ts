import { generateKeyPair, verifyCommitCertificate, verifyStateCertificate } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { defaultConsensusConfig } from './config.ts';
import { createReplicaCore } from './core.ts';
import { createConsensusCrypto } from './crypto.ts';
import { prepareBytes } from './statements.ts';
import type {
  ClientRequest,
  CommittedBatch,
  ConsensusConfig,
  PersistRecord,
  ReplicaCore,
  StateCertificate,
} from './types.ts';

const keys = Array.from({ length: 4 }, () => generateKeyPair());
const publicKeys = keys.map((k) => k.publicKey);
const req = (seq: number): ClientRequest => ({ submitter: 'client', seq, body: Uint8Array.of(seq) });

/** Four cores wired directly (no loss); `execute` false withholds execution to pin the watermark. */
function cluster(overrides: Partial<ConsensusConfig> = {}, execute = true) {
  const config = defaultConsensusConfig(publicKeys, {
    checkpointInterval: 2,
    watermarkWindow: 4,
    batchRequestsMax: 1,
    batchDelayTicks: 1,
    ...overrides,
  });
  const cores: ReplicaCore[] = keys.map((k, id) =>
    createReplicaCore({
      id,
      config,
      crypto: createConsensusCrypto({
        privateKey: k.privateKey,
        replicaPublicKeys: publicKeys,
        verifyRequest: (r) => r.body.length > 0,
      }),
    }),
  );
  const committed: CommittedBatch[][] = cores.map(() => []);
  const certified: StateCertificate[][] = cores.map(() => []);
  const persisted: string[][] = cores.map(() => []);
  const records: PersistRecord[][] = cores.map(() => []);
  const pump = (): void => {
    for (let round = 0; round < 200; round++) {
      let busy = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        busy = true;
        persisted[id]!.push(...rd.persist.map((p) => p.kind));
        records[id]!.push(...rd.persist);
        for (const out of rd.messages) {
          const targets = out.to === 'all' ? [0, 1, 2, 3].filter((r) => r !== id) : [out.to];
          for (const t of targets) cores[t]!.step(id, out.message);
        }
        for (const batch of rd.committed) {
          committed[id]!.push(batch);
          if (execute) core.executed(batch.seq, new Uint8Array(32).fill(batch.seq));
        }
        certified[id]!.push(...rd.certified);
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
  const restart = (id: number): void => {
    cores[id] = createReplicaCore({
      id,
      config,
      crypto: createConsensusCrypto({
        privateKey: keys[id]!.privateKey,
        replicaPublicKeys: publicKeys,
        verifyRequest: (r) => r.body.length > 0,
      }),
      restored: {
        records: records[id]!,
        lastExecuted: committed[id]!.length,
        stateDigestAt: (seq) => new Uint8Array(32).fill(seq),
      },
    });
  };
  return { cores, committed, certified, persisted, pump, ticks, restart };
}

describe('replica core, normal case', () => {
  it('commits a request at every replica with a verifying commit certificate', () => {
    const c = cluster();
    expect(c.cores[0]!.propose(req(1))).toBe('accepted');
    c.ticks(3);
    for (const batches of c.committed) {
      expect(batches.map((b) => b.seq)).toEqual([1]);
      expect(verifyCommitCertificate(batches[0]!.certificate, publicKeys)).toBe(true);
    }
    expect(c.persisted[1]).toEqual(expect.arrayContaining(['log', 'prepared']));
  });

  it('backups forward to the primary; duplicates, bad requests and a full queue are refused', () => {
    const c = cluster({ pendingRequestsMax: 2 });
    expect(c.cores[2]!.propose(req(1))).toBe('forwarded');
    expect(c.cores[2]!.propose(req(1))).toBe('duplicate');
    expect(c.cores[2]!.propose({ submitter: 'client', seq: 9, body: new Uint8Array(0) })).toBe('rejected');
    expect(c.cores[2]!.propose(req(2))).toBe('forwarded');
    expect(c.cores[2]!.propose(req(3))).toBe('full');
    c.ticks(4);
    expect(c.committed[0]!.flatMap((b) => b.requests.map((r) => r.seq))).toEqual([1, 2]);
    expect(c.cores[2]!.propose(req(1))).toBe('duplicate');
  });

  it('stops at the high watermark until a checkpoint is stable, then truncates', () => {
    const c = cluster({}, false);
    for (let i = 1; i <= 6; i++) c.cores[0]!.propose(req(i));
    c.ticks(10);
    expect(c.committed[1]!.map((b) => b.seq)).toEqual([1, 2, 3, 4]);
    expect(c.cores[0]!.status().highWatermark).toBe(4);
    // Execute the first two everywhere: checkpoint 2 becomes stable and the window slides.
    c.cores.forEach((core) => {
      core.executed(1, new Uint8Array(32).fill(1));
      core.executed(2, new Uint8Array(32).fill(2));
    });
    c.pump();
    c.ticks(5);
    const status = c.cores[1]!.status();
    expect(status.lastStableCheckpoint).toBe(2);
    expect(status.highWatermark).toBe(6);
    expect(c.committed[1]!.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.persisted[1]).toEqual(expect.arrayContaining(['stableCheckpoint', 'truncateBelow']));
    expect(c.certified[1]!.map((s) => s.seq)).toEqual([1, 2]);
    expect(verifyStateCertificate(c.certified[1]![1]!, publicKeys)).toBe(true);
  });

  it('drops and counts forged, out-of-window and wrong-view votes without throwing', () => {
    const c = cluster();
    const core = c.cores[1]!;
    const digest = new Uint8Array(32);
    const signature = new Uint8Array(64);
    core.step(2, { type: 'prepare', view: 0, seq: 1, batchDigest: digest, replica: 3, signature });
    core.step(2, { type: 'prepare', view: 0, seq: 1, batchDigest: digest, replica: 2, signature });
    core.step(2, { type: 'prepare', view: 0, seq: 99, batchDigest: digest, replica: 2, signature });
    core.step(2, { type: 'commit', view: 5, seq: 1, batchDigest: digest, replica: 2, signature });
    core.step(9, { type: 'prepare', view: 0, seq: 1, batchDigest: digest, replica: 9, signature });
    core.step(2, { type: 'prepare', view: 0, seq: 1, batchDigest: new Uint8Array(3), replica: 2, signature });
    core.step(3, { type: 'viewChange', newView: 1, replica: 3, payload: Uint8Array.of(1, 2), signature });
    core.step(0, { type: 'newView', view: 4, replica: 0, payload: Uint8Array.of(1), signature });
    expect(core.status().dropped).toEqual({
      senderMismatch: 1,
      badSignature: 3,
      outOfWindow: 1,
      wrongView: 1,
      badSender: 1,
      malformed: 1,
    });
    expect(prepareBytes(0, 1, digest).length).toBe(8 + 16 + 32);
  });
});

describe('replica core, restart', () => {
  it('a restarted backup and a restarted primary resume from their records and keep committing', () => {
    const c = cluster({ checkpointInterval: 2, watermarkWindow: 4 });
    for (let i = 1; i <= 3; i++) c.cores[0]!.propose(req(i));
    c.ticks(6);
    c.restart(1);
    c.restart(0);
    c.pump();
    expect(c.cores[1]!.status().lastStableCheckpoint).toBe(2);
    expect(c.cores[0]!.status().lastExecuted).toBe(3);
    for (let i = 4; i <= 6; i++) c.cores[0]!.propose(req(i));
    c.ticks(20);
    for (const batches of c.committed) expect(batches.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('replica core, view change', () => {
  it('replaces a silent primary after the request timeout and commits in the new view', () => {
    const c = cluster({ viewChangeTimeoutTicks: 5, viewChangeTimeoutTicksMax: 40 });
    const silent = c.cores[0]!;
    c.cores[0] = { ...silent, step: () => {}, ready: () => null, tick: () => {} } as ReplicaCore;
    for (const id of [1, 2, 3]) c.cores[id]!.propose(req(id));
    c.ticks(30);
    for (const id of [1, 2, 3]) {
      expect(c.cores[id]!.status().view).toBe(1);
      expect(c.committed[id]!.flatMap((b) => b.requests.map((r) => r.seq)).sort()).toEqual([1, 2, 3]);
    }
  });
});
