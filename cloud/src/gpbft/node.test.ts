import { commitVoteBytes, sha256, toHex, verify } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../consensus/codec.ts';
import { createReplicaCore } from '../consensus/core.ts';
import { encodeRequests } from '../consensus/statements.ts';
import type { ConsensusMessage, ReplicaCore } from '../consensus/types.ts';
import { gpbftSimKnobs } from '../sim/gpbft-sim.ts';
import { makeRequest, simCrypto, simKeys, simVerifyRequest } from '../sim/keys.ts';
import { simConfig } from '../sim/sim.ts';
import {
  assignGroups,
  createGroupedCore,
  decodeGroupDecision,
  type GroupedCommittedBatch,
  type GroupedCore,
  type GroupLayout,
  type LayerKeys,
  SignerHints,
  topCrypto,
  verifyFinalBatch,
  verifyGroupCertificate,
  verifyTopCertificate,
} from './index.ts';

/** Keys that can only verify: what an outside auditor holds. */
function publicOnly(layout: GroupLayout, n: number): LayerKeys {
  const { publicKeys } = simKeys(n);
  return {
    layout,
    publicKeys,
    sign: () => {
      throw new Error('an auditor cannot sign');
    },
    verifyGlobal: (replica, message, signature) => {
      const key = publicKeys[replica];
      return key !== undefined && verify(key, message, signature);
    },
  };
}

function groupedCluster(layout: GroupLayout): GroupedCore[] {
  const n = layout.groups.flat().length;
  const keys = simKeys(n);
  const config = { layout, publicKeys: keys.publicKeys, consensus: gpbftSimKnobs(n) };
  return keys.publicKeys.map((_, id) =>
    createGroupedCore({
      id,
      config,
      sign: simCrypto(keys, id).sign,
      verifyGlobal: (replica, message, signature) => {
        const key = keys.publicKeys[replica];
        return key !== undefined && verify(key, message, signature);
      },
      verifyClientRequest: simVerifyRequest,
    }),
  );
}

/** Lossless, FIFO, synchronous network; records every inner flat message sent, as bytes. */
function runGrouped(cores: GroupedCore[], ticks: number) {
  const trace: string[] = [];
  const committed: GroupedCommittedBatch[][] = cores.map(() => []);
  const digests: Uint8Array[] = cores.map(() => new Uint8Array(32));
  const drainAll = (): void => {
    for (let guard = 0, progress = true; progress && guard < 10_000; guard++) {
      progress = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        progress = true;
        for (const out of rd.messages) {
          for (const to of out.to) {
            if (out.message.layer === 'group' || out.message.layer === 'top')
              trace.push(`${id}>${to} ${out.message.layer} ${toHex(encodeMessage(out.message.message))}`);
            cores[to]!.step(id, out.message);
          }
        }
        for (const batch of rd.committed) {
          committed[id]!.push(batch);
          digests[id] = sha256(digests[id]!, encodeRequests(batch.requests));
          core.executed(batch.seq, digests[id]!);
        }
        core.advance(rd);
      });
    }
  };
  for (let t = 0; t < ticks; t++) {
    for (const core of cores) core.tick();
    drainAll();
  }
  return { trace, committed, drainAll };
}

function runFlat(cores: ReplicaCore[], ticks: number) {
  const trace: string[] = [];
  const committed: { seq: number; requests: string; digest: string }[][] = cores.map(() => []);
  const digests: Uint8Array[] = cores.map(() => new Uint8Array(32));
  const n = cores.length;
  const drainAll = (): void => {
    for (let guard = 0, progress = true; progress && guard < 10_000; guard++) {
      progress = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        progress = true;
        for (const out of rd.messages) {
          const targets =
            out.to === 'all' ? Array.from({ length: n }, (_, i) => i).filter((i) => i !== id) : [out.to];
          for (const to of targets) {
            trace.push(`${id}>${to} group ${toHex(encodeMessage(out.message))}`);
            cores[to]!.step(id, out.message);
          }
        }
        for (const batch of rd.committed) {
          committed[id]!.push({
            seq: batch.seq,
            requests: toHex(encodeRequests(batch.requests)),
            digest: toHex(batch.certificate.batchDigest),
          });
          digests[id] = sha256(digests[id]!, encodeRequests(batch.requests));
          core.executed(batch.seq, digests[id]!);
        }
        core.advance(rd);
      });
    }
  };
  for (let t = 0; t < ticks; t++) {
    for (const core of cores) core.tick();
    drainAll();
  }
  return { trace, committed, drainAll };
}

const requests = Array.from({ length: 7 }, (_, i) => makeRequest(`client-${i % 3}`, i + 1, `op-${i}`));

describe('grouped PBFT node', () => {
  it('with g = 1 sends byte-identical messages and commits exactly what flat PBFT commits', () => {
    const n = 4;
    const keys = simKeys(n);
    const grouped = groupedCluster({ groups: [[0, 1, 2, 3]] });
    const flat = Array.from({ length: n }, (_, id) =>
      createReplicaCore({ id, config: simConfig(n), crypto: simCrypto(keys, id) }),
    );
    for (const request of requests) {
      grouped[1]!.propose(request);
      flat[1]!.propose(request);
    }
    const g = runGrouped(grouped, 60);
    const f = runFlat(flat, 60);
    expect(g.trace.length).toBeGreaterThan(20);
    expect(g.trace).toEqual(f.trace);
    const view = (batches: GroupedCommittedBatch[]) =>
      batches.map((b) => ({
        seq: b.seq,
        requests: toHex(encodeRequests(b.requests)),
        digest: toHex(b.certificate.batchDigest),
      }));
    for (let id = 0; id < n; id++) expect(view(g.committed[id]!)).toEqual(f.committed[id]);
    expect(g.committed[0]!.flatMap((b) => b.requests)).toHaveLength(requests.length);
    for (const core of grouped) expect(core.status().mode).toBe('pbft');
  });

  it('N = 16, g = 4: every replica executes the same order; group and top certificates verify from public keys alone', () => {
    const layout: GroupLayout = {
      groups: [
        [0, 4, 8, 12],
        [1, 5, 9, 13],
        [2, 6, 10, 14],
        [3, 7, 11, 15],
      ],
    };
    const cores = groupedCluster(layout);
    for (const [i, request] of requests.entries()) cores[i % 16]!.propose(request);
    const { committed } = runGrouped(cores, 400);
    const order = (id: number) =>
      committed[id]!.flatMap((b) => b.requests.map((r) => `${r.submitter}/${r.seq}`));
    const executed = new Set(order(0));
    expect(executed.size).toBe(requests.length);
    for (let id = 1; id < 16; id++) expect(order(id)).toEqual(order(0));
    for (const core of cores)
      expect(core.status()).toMatchObject({ mode: 'gpbft', topLastDelivered: committed[0]!.length });

    const auditor = publicOnly(layout, 16);
    const hints = new SignerHints(layout);
    let groupCertificates = 0;
    for (const batch of committed[5]!) {
      expect(verifyFinalBatch(auditor, hints, batch, encodeRequests)).toBe(true);
      expect(verifyTopCertificate(auditor, hints, batch.certificate, encodeRequests(batch.topRequests))).toBe(
        true,
      );
      for (const top of batch.topRequests) {
        const decision = decodeGroupDecision(top);
        expect(
          verifyGroupCertificate(
            auditor,
            decision.group,
            decision.certificate,
            decision.requests,
            encodeRequests,
          ),
        ).toBe(true);
        // The same certificate does not vouch for other requests, nor for the other group.
        expect(
          verifyGroupCertificate(auditor, decision.group, decision.certificate, [], encodeRequests),
        ).toBe(false);
        expect(
          verifyGroupCertificate(
            auditor,
            (decision.group + 1) % 4,
            decision.certificate,
            decision.requests,
            encodeRequests,
          ),
        ).toBe(false);
        groupCertificates++;
      }
    }
    expect(groupCertificates).toBeGreaterThan(0);
    const first = committed[5]![0]!;
    const tampered = { ...first, requests: [...first.requests.slice(1), first.requests[0]!] };
    if (first.requests.length > 1)
      expect(verifyFinalBatch(auditor, hints, tampered, encodeRequests)).toBe(false);
    expect(verifyFinalBatch(auditor, hints, { ...first, seq: first.seq + 1 }, encodeRequests)).toBe(false);
  });

  it.each([2, 3])(
    'N = 16, g = %i: the top runs with f_t = 0 and quorum 2; every replica executes the same order',
    (g) => {
      const layout = assignGroups(simKeys(16).publicKeys, g, 'node-test-small-top');
      expect(layout.groups.map((m) => m.length).sort()).toEqual(g === 2 ? [8, 8] : [5, 5, 6]);
      const cores = groupedCluster(layout);
      for (const [i, request] of requests.entries()) cores[i % 16]!.propose(request);
      const { committed } = runGrouped(cores, 400);
      const order = (id: number) =>
        committed[id]!.flatMap((b) => b.requests.map((r) => `${r.submitter}/${r.seq}`));
      expect(new Set(order(0)).size).toBe(requests.length);
      for (let id = 1; id < 16; id++) expect(order(id)).toEqual(order(0));
      const auditor = publicOnly(layout, 16);
      const hints = new SignerHints(layout);
      for (const batch of committed[7]!) {
        expect(verifyFinalBatch(auditor, hints, batch, encodeRequests)).toBe(true);
        // Two of g groups sign each top certificate.
        expect(new Set(batch.certificate.signatures.map((s) => s.replica)).size).toBeGreaterThanOrEqual(2);
      }
    },
  );

  it('refuses a top-level signature forged by a replica outside the group it claims to speak for', () => {
    const layout: GroupLayout = {
      groups: [
        [0, 4, 8, 12],
        [1, 5, 9, 13],
        [2, 6, 10, 14],
        [3, 7, 11, 15],
      ],
    };
    const n = 16;
    const keys = simKeys(n);
    const cores = groupedCluster(layout);
    for (const request of requests) cores[0]!.propose(request);
    const { committed } = runGrouped(cores, 400);
    const batch = committed[0]![0]!;
    const auditor = publicOnly(layout, n);
    const message = commitVoteBytes(
      batch.certificate.view,
      batch.certificate.seq,
      batch.certificate.batchDigest,
    );
    // Replica 1 (group 1) signs the vote as if it were group 0's virtual replica.
    const forgedSignature = simCrypto(keys, 1).sign(message);
    // Exactly a top quorum (3 of 4 groups), group 0 among them.
    const quorum = {
      ...batch.certificate,
      signatures: [...batch.certificate.signatures].sort((a, b) => a.replica - b.replica).slice(0, 3),
    };
    expect(quorum.signatures[0]!.replica).toBe(0);
    const forged = {
      ...quorum,
      signatures: quorum.signatures.map((s) => (s.replica === 0 ? { ...s, signature: forgedSignature } : s)),
    };
    const hints = new SignerHints(layout);
    expect(verifyTopCertificate(auditor, hints, quorum, encodeRequests(batch.topRequests))).toBe(true);
    expect(verifyTopCertificate(auditor, hints, forged, encodeRequests(batch.topRequests))).toBe(false);
    const crypto = topCrypto(auditor, hints, encodeRequests);
    expect(crypto.verifyReplica(0, message, forgedSignature)).toBe(false);
    expect(crypto.verifyReplica(1, message, forgedSignature)).toBe(true);
    // Any member of group 0 may speak for it (a replaced representative stays the same virtual replica).
    expect(crypto.verifyReplica(0, message, simCrypto(keys, 12).sign(message))).toBe(true);

    // A representative drops a top-level commit whose signature is not by a member of the group it names.
    const representative = cores.find((c) => c.status().isRepresentative && c.status().group === 0)!;
    const before = representative.status().dropped;
    const commit: ConsensusMessage = {
      type: 'commit',
      view: batch.certificate.view,
      seq: batch.seq + 1,
      batchDigest: batch.certificate.batchDigest,
      replica: 1,
      signature: simCrypto(keys, 0).sign(
        commitVoteBytes(batch.certificate.view, batch.seq + 1, batch.certificate.batchDigest),
      ),
    };
    representative.step(1, { layer: 'top', message: commit });
    const after = representative.status().dropped;
    const total = (d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0);
    expect(total(after)).toBe(total(before) + 1);
  });
});
