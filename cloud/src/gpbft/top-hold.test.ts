import { sha256, verify } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { encodeRequests } from '../consensus/statements.ts';
import type { PersistRecord } from '../consensus/types.ts';
import { gpbftSimKnobs } from '../sim/gpbft-sim.ts';
import { makeRequest, simCrypto, simKeys, simVerifyRequest } from '../sim/keys.ts';
import {
  createGroupedCore,
  decodeGroupedMessage,
  encodeGroupedMessage,
  type GroupedCore,
  type GroupedMessage,
  type GroupLayout,
  setupNode,
} from './index.ts';
import { TopHold } from './top-hold.ts';

const layout: GroupLayout = {
  groups: [
    [0, 4, 8, 12],
    [1, 5, 9, 13],
    [2, 6, 10, 14],
    [3, 7, 11, 15],
  ],
};
const keys = simKeys(16);
const config = { layout, publicKeys: keys.publicKeys, consensus: gpbftSimKnobs(16) };
const verifyGlobal = (replica: number, message: Uint8Array, signature: Uint8Array) => {
  const key = keys.publicKeys[replica];
  return key !== undefined && verify(key, message, signature);
};

function cluster(): GroupedCore[] {
  return keys.publicKeys.map((_, id) =>
    createGroupedCore({
      id,
      config,
      sign: simCrypto(keys, id).sign,
      verifyGlobal,
      verifyClientRequest: simVerifyRequest,
    }),
  );
}

/**
 * Lossless synchronous network that drops what `cut` says; every message goes through the codec.
 * Returns the top-level votes each replica sent and every held record seen on the wire.
 */
function run(
  cores: GroupedCore[],
  ticks: number,
  cut: (from: number, to: number, m: GroupedMessage) => boolean,
) {
  const topVotes = new Map<number, Set<string>>();
  const held: PersistRecord[] = [];
  const executed: string[][] = cores.map(() => []);
  const digests: Uint8Array[] = cores.map(() => new Uint8Array(32));
  const drain = (): void => {
    for (let guard = 0, progress = true; progress && guard < 10_000; guard++) {
      progress = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        progress = true;
        for (const out of rd.messages) {
          for (const to of out.to) {
            const message = decodeGroupedMessage(encodeGroupedMessage(out.message));
            if (message.layer === 'top') {
              const votes = topVotes.get(id) ?? new Set<string>();
              votes.add(message.message.type);
              topVotes.set(id, votes);
            }
            if (message.layer === 'topHold') held.push(...message.records);
            if (!cut(id, to, message)) cores[to]!.step(id, message);
          }
        }
        for (const batch of rd.committed) {
          executed[id]!.push(...batch.requests.map((r) => `${r.submitter}/${r.seq}`));
          digests[id] = sha256(digests[id]!, encodeRequests(batch.requests));
          core.executed(batch.seq, digests[id]!);
        }
        core.advance(rd);
      });
    }
  };
  for (let t = 0; t < ticks; t++) {
    for (const core of cores) core.tick();
    drain();
  }
  return { topVotes, held, executed };
}

const requests = Array.from({ length: 6 }, (_, i) => makeRequest(`client-${i % 3}`, i + 1, `op-${i}`));

describe('grouped PBFT: representatives keep their top state with their group', () => {
  it('a representative sends top commits only once 2f_g+1 members hold the prepared certificate', () => {
    // Group 1's other members never receive what their representative (replica 1) asks them to hold.
    const cores = cluster();
    for (const [i, request] of requests.entries()) cores[(i * 4) % 16]!.propose(request);
    const cutHold = (from: number, to: number, m: GroupedMessage) =>
      from === 1 && m.layer === 'topHold' && [5, 9, 13].includes(to);
    const { topVotes, held, executed } = run(cores, 400, cutHold);
    // The top commits with the three other groups (quorum 3 of 4); replica 1 (the top primary) orders
    // but never commits. It holds its own certificates back and fetches the others' for its group.
    expect(new Set(executed[0])).toEqual(new Set(requests.map((r) => `${r.submitter}/${r.seq}`)));
    for (let id = 1; id < 16; id++) expect(executed[id]).toEqual(executed[0]);
    expect(topVotes.get(1)?.has('prePrepare')).toBe(true);
    expect(topVotes.get(1)?.has('commit')).toBe(false);
    for (const rep of [0, 2, 3]) expect(topVotes.get(rep)?.has('commit')).toBe(true);
    expect(held.some((r) => r.kind === 'prepared')).toBe(true);
    // Without the cut, every representative commits.
    const again = cluster();
    for (const [i, request] of requests.entries()) again[(i * 4) % 16]!.propose(request);
    const normal = run(again, 400, () => false);
    for (const rep of [0, 1, 2, 3]) expect(normal.topVotes.get(rep)?.has('commit')).toBe(true);
  });

  it('members hold only certificates that verify: a forged prepare or a swapped body is refused', () => {
    const cores = cluster();
    for (const [i, request] of requests.entries()) cores[(i * 4) % 16]!.propose(request);
    const { held } = run(cores, 200, () => false);
    const record = held.find((r) => r.kind === 'prepared');
    if (record?.kind !== 'prepared') throw new Error('no prepared certificate was held');
    const setup = setupNode({
      id: 4,
      config,
      sign: simCrypto(keys, 4).sign,
      verifyGlobal,
      verifyClientRequest: simVerifyRequest,
    });
    const hold = new TopHold(setup.topConfig!, setup.topCrypto!);
    const cert = record.certificate;
    const forged = cert.prepares.map((p, i) =>
      i === 0 ? { ...p, signature: Uint8Array.from(p.signature, (b, j) => (j === 0 ? b ^ 1 : b)) } : p,
    );
    expect(hold.accept({ kind: 'prepared', certificate: { ...cert, prepares: forged } }, false)).toBe(
      'invalid',
    );
    const otherBody = [makeRequest('mallory', 1, 'not what was prepared')];
    expect(hold.accept({ kind: 'prepared', certificate: { ...cert, requests: otherBody } }, false)).toBe(
      'invalid',
    );
    expect(hold.accept(record, false)).toBe('new');
    expect(hold.accept(record, false)).toBe('known');
    expect(hold.records()).toEqual([record]);
    expect(hold.maxView).toBe(cert.view);
  });

  it('the held-state messages round-trip through the codec', () => {
    const messages: GroupedMessage[] = [
      { layer: 'topHoldAck', view: 3, seq: 17 },
      { layer: 'topHoldQuery' },
      { layer: 'topHeld', view: 5, records: [] },
      { layer: 'topHold', records: [] },
    ];
    for (const m of messages) expect(decodeGroupedMessage(encodeGroupedMessage(m))).toEqual(m);
    const bad = encodeGroupedMessage({ layer: 'topHold', records: [{ kind: 'view', view: 2 }] });
    expect(() => decodeGroupedMessage(bad)).toThrow(/held record kind/);
  });
});
