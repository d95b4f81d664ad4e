import { join } from 'node:path';
import { toBase64Url } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaStore } from '../replica-store.ts';
import { fakeBatch, tempDirs } from '../test-support.ts';
import { createLogApp } from './log-app.ts';

const temp = tempDirs();
afterEach(() => temp.cleanup());

describe('log app', () => {
  it('executes each (submitter, seq) once and agrees on the digest across replicas', () => {
    const dir = temp.make();
    const batches = [
      fakeBatch(1, [
        { submitter: 'a', seq: 1 },
        { submitter: 'b', seq: 1 },
      ]),
      fakeBatch(2, [
        { submitter: 'a', seq: 1 },
        { submitter: 'a', seq: 2 },
      ]), // a#1 again after a view change
    ];
    const digests = ['r1', 'r2'].map((name) => {
      const app = createLogApp(join(dir, `${name}.sqlite`));
      const out = batches.map((b) => toBase64Url(app.machine.applyBatch(b).stateDigest));
      expect(app.entries(0, 100).map((e) => `${e.submitter}#${e.seq}@${e.batchSeq}`)).toEqual([
        'a#1@1',
        'b#1@1',
        'a#2@2',
      ]);
      expect(app.status?.()).toMatchObject({ lastApplied: 2, executed: 3 });
      expect(toBase64Url(app.stateDigestAt?.(2) ?? new Uint8Array())).toBe(out[1]);
      expect(app.stateDigestAt?.(3)).toBeUndefined();
      app.close();
      return out;
    });
    expect(digests[0]).toEqual(digests[1]);
    expect(new Set(digests[0]).size).toBe(2);
  });

  it('lives in the replica database when given it, and reopens there', () => {
    const path = join(temp.make(), 'replica.sqlite');
    let store = new ReplicaStore(path);
    createLogApp(store.db).machine.applyBatch(fakeBatch(1, [{ submitter: 'a', seq: 1 }]));
    store.close();
    store = new ReplicaStore(path);
    const app = createLogApp(store.db);
    expect(app.machine.lastApplied()).toBe(1);
    expect(app.entries(0, 10)).toHaveLength(1);
    app.close(); // does not close the shared database
    expect(store.lastBatchSeq()).toBe(0);
    store.close();
  });

  it('is durable and refuses to apply out of order', () => {
    const path = join(temp.make(), 'app.sqlite');
    let app = createLogApp(path);
    app.machine.applyBatch(fakeBatch(1, [{ submitter: 'a', seq: 1 }]));
    app.close();
    app = createLogApp(path);
    expect(app.machine.lastApplied()).toBe(1);
    expect(() => app.machine.applyBatch(fakeBatch(3, []))).toThrow(/applies 2 next/);
    app.close();
  });
});
