import { attestationBytes, generateKeyPair, sign } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { byzantineQuorum, defaultConsensusConfig, resolveConfig } from './config.ts';
import { createConsensusCrypto } from './crypto.ts';
import { batchDigestOf, prePrepareBytes, prepareBytes } from './statements.ts';
import type { ClientRequest, PreparedCertificate } from './types.ts';
import { computeNewViewPlan, viewChangeInvalidReason } from './viewchange.ts';

const keys = Array.from({ length: 4 }, () => generateKeyPair());
const publicKeys = keys.map((k) => k.publicKey);
const config = resolveConfig(
  defaultConsensusConfig(publicKeys, { checkpointInterval: 4, watermarkWindow: 8 }),
);
const crypto = createConsensusCrypto({
  privateKey: keys[0]!.privateKey,
  replicaPublicKeys: publicKeys,
  verifyRequest: () => true,
});
const ctx = { config, crypto };
const req = (seq: number): ClientRequest => ({ submitter: 'c', seq, body: Uint8Array.of(seq) });

/** A genuine prepared certificate for (view, seq): primary pre-prepare + prepares by two others. */
function prepared(view: number, seq: number, requests: ClientRequest[]): PreparedCertificate {
  const batchDigest = batchDigestOf(crypto, requests);
  const primary = view % 4;
  const others = [0, 1, 2, 3].filter((r) => r !== primary).slice(0, 2);
  return {
    view,
    seq,
    batchDigest,
    requests,
    prePrepareSignature: sign(keys[primary]!.privateKey, prePrepareBytes(view, seq, batchDigest)),
    prepares: others.map((r) => ({
      replica: r,
      signature: sign(keys[r]!.privateKey, prepareBytes(view, seq, batchDigest)),
    })),
  };
}

function checkpoint(seq: number) {
  const stateDigest = new Uint8Array(32).fill(seq);
  const signatures = [0, 1, 2].map((r) => ({
    replica: r,
    signature: sign(keys[r]!.privateKey, attestationBytes(seq, stateDigest)),
  }));
  return { seq, stateDigest, signatures };
}

describe('quorums and config', () => {
  it('uses 2f+1 for n = 3f+1 and an intersecting quorum otherwise', () => {
    expect([4, 5, 6, 7, 10].map(byzantineQuorum)).toEqual([3, 4, 4, 5, 7]);
    expect(config.f).toBe(1);
    expect(config.quorum).toBe(3);
  });

  it('rejects unsafe quorums, n < 4 and windows that are not checkpoint multiples', () => {
    expect(() => resolveConfig(defaultConsensusConfig(publicKeys, { quorum: 2 }))).toThrow(/unsafe/);
    expect(() => resolveConfig(defaultConsensusConfig(publicKeys.slice(0, 3)))).toThrow(/at least 4/);
    // Only grouped PBFT's top level over 2..3 groups runs smaller: f = 0, quorum 2.
    const small = (n: number) =>
      resolveConfig({ ...defaultConsensusConfig(publicKeys.slice(0, n)), smallTopLevel: true });
    expect([small(2), small(3)].map((c) => [c.f, c.quorum])).toEqual([
      [0, 2],
      [0, 2],
    ]);
    expect(() => small(1)).toThrow(/n >= 2/);
    expect(() => resolveConfig(defaultConsensusConfig(publicKeys.slice(0, 2)))).toThrow(/at least 4/);
    expect(() =>
      resolveConfig(defaultConsensusConfig(publicKeys, { watermarkWindow: 10, checkpointInterval: 4 })),
    ).toThrow(/multiple/);
  });
});

describe('view change O set', () => {
  it('fills gaps with null requests and takes the highest-view prepared batch per seq', () => {
    const low = prepared(0, 2, [req(1)]);
    const high = prepared(1, 2, [req(2)]);
    const plan = computeNewViewPlan(ctx, [
      { checkpoint: null, prepared: [low, prepared(0, 4, [req(4)])] },
      { checkpoint: null, prepared: [high] },
      { checkpoint: null, prepared: [] },
    ]);
    expect(plan.minSeq).toBe(0);
    expect(plan.maxSeq).toBe(4);
    expect(plan.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(plan.entries[0]!.requests).toEqual([]);
    expect(plan.entries[0]!.batchDigest).toEqual(batchDigestOf(crypto, []));
    expect(plan.entries[1]!.batchDigest).toEqual(high.batchDigest);
    expect(plan.entries[2]!.requests).toEqual([]);
    // Prepared entries name their digest only; the replica supplies or fetches the body.
    expect(plan.entries[1]!.requests).toBeNull();
    expect(plan.entries[3]!.requests).toBeNull();
    expect(plan.entries[3]!.batchDigest).toEqual(batchDigestOf(crypto, [req(4)]));
  });

  it('starts after the newest stable checkpoint in V and ignores prepared seqs below it', () => {
    const plan = computeNewViewPlan(ctx, [
      { checkpoint: checkpoint(4), prepared: [prepared(0, 5, [req(5)])] },
      { checkpoint: null, prepared: [prepared(0, 3, [req(3)]), prepared(0, 5, [req(5)])] },
      { checkpoint: checkpoint(4), prepared: [] },
    ]);
    expect(plan.checkpoint?.seq).toBe(4);
    expect(plan.entries.map((e) => e.seq)).toEqual([5]);
  });

  it('is empty when nothing is prepared above the checkpoint', () => {
    const plan = computeNewViewPlan(ctx, [{ checkpoint: checkpoint(4), prepared: [] }]);
    expect(plan.entries).toEqual([]);
    expect(plan.maxSeq).toBe(4);
  });

  it('validates view changes: forged prepares, wrong digests, windows and views are refused', () => {
    const good = prepared(0, 2, [req(1)]);
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [good] })).toBeNull();
    const forged = {
      ...good,
      prepares: [good.prepares[0]!, { replica: 3, signature: good.prepares[0]!.signature }],
    };
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [forged] })).toBe('badPrepared');
    const duplicateSigner = { ...good, prepares: [good.prepares[0]!, good.prepares[0]!] };
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [duplicateSigner] })).toBe(
      'badPrepared',
    );
    const wrongDigest = { ...good, batchDigest: batchDigestOf(crypto, [req(9)]) };
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [wrongDigest] })).toBe(
      'badPrepared',
    );
    expect(viewChangeInvalidReason(ctx, 0, { checkpoint: null, prepared: [good] })).toBe('preparedView');
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [prepared(0, 9, [])] })).toBe(
      'preparedOutOfWindow',
    );
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: null, prepared: [good, good] })).toBe(
      'preparedOrder',
    );
    const badCheckpoint = { ...checkpoint(4), stateDigest: new Uint8Array(32) };
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: badCheckpoint, prepared: [] })).toBe(
      'badCheckpoint',
    );
    expect(viewChangeInvalidReason(ctx, 1, { checkpoint: { ...checkpoint(4), seq: 5 }, prepared: [] })).toBe(
      'badCheckpoint',
    );
  });
});
