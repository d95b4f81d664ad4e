import { parseArgs } from 'node:util';
import { decodeMessage, encodeMessage } from '@suyuan/cloud/consensus/codec';
import { defaultConsensusConfig } from '@suyuan/cloud/consensus/config';
import { createReplicaCore } from '@suyuan/cloud/consensus/core';
import { createConsensusCrypto } from '@suyuan/cloud/consensus/crypto';
import type { ClientRequest, ReplicaCore } from '@suyuan/cloud/consensus/types';
import { cachedRequestVerifier } from '@suyuan/cloud/replica/request-auth';
import { fromBase64Url, generateKeyPair } from '@suyuan/shared';
import { Submitter } from '../cluster/harness.ts';

/**
 * `tsx test/src/bench/consensus-core.ts [--n 4] [--requests 4096] [--batch 32]`: CPU time per request
 * of the consensus core alone — n cores in one process, every message through the binary codec,
 * real Ed25519 (replica votes and the memoised request check), no HTTP, no SQLite, no sockets.
 * Prints CPU µs per request for the whole pipeline (all n replicas), split into the request checks
 * and the rest (votes, codec, core), next to the n verifications the bound counts. CPU time, so a
 * busy machine distorts it little; compare runs side by side.
 */
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '4' },
    requests: { type: 'string', default: '4096' },
    batch: { type: 'string', default: '32' },
  },
});
const n = Number(values.n);
const requestCount = Number(values.requests);
const batch = Number(values.batch);

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function makeRequests(): ClientRequest[] {
  const submitters = Array.from({ length: 64 }, () => new Submitter());
  return Array.from({ length: requestCount }, (_, i) => {
    const wire = submitters[i % submitters.length]!.make(900);
    return { submitter: wire.submitter, seq: wire.seq, body: fromBase64Url(wire.body) };
  });
}

function run(requests: ClientRequest[]) {
  const keys = Array.from({ length: n }, () => generateKeyPair());
  const publicKeys = keys.map((k) => k.publicKey);
  const config = defaultConsensusConfig(publicKeys, {
    batchRequestsMax: batch,
    pendingRequestsMax: requestCount + 1,
  });
  let checkUs = 0;
  const cores: ReplicaCore[] = keys.map((k, id) => {
    const memo = cachedRequestVerifier();
    return createReplicaCore({
      id,
      config,
      crypto: createConsensusCrypto({
        privateKey: k.privateKey,
        replicaPublicKeys: publicKeys,
        verifyRequest: (r) => {
          const t = cpuUs();
          const ok = memo(r);
          checkUs += cpuUs() - t;
          return ok;
        },
      }),
    });
  });
  const executed = new Array<number>(n).fill(0);
  const pump = () => {
    for (let busy = true; busy; ) {
      busy = false;
      cores.forEach((core, id) => {
        const rd = core.ready();
        if (rd === null) return;
        busy = true;
        for (const out of rd.messages) {
          const bytes = encodeMessage(out.message);
          for (let to = 0; to < n; to++) {
            if (to === id || (out.to !== 'all' && out.to !== to)) continue;
            cores[to]!.step(id, decodeMessage(bytes));
          }
        }
        for (const b of rd.committed) {
          executed[id]! += b.requests.length;
          core.executed(b.seq, new Uint8Array(32).fill(b.seq % 251));
        }
        core.advance(rd);
      });
    }
  };
  const start = cpuUs();
  for (let i = 0; i < requests.length; i += batch) {
    for (const r of requests.slice(i, i + batch)) cores[0]!.propose(r);
    for (let t = 0; t < 2; t++) {
      for (const core of cores) core.tick();
      pump();
    }
  }
  for (let t = 0; t < 10 && executed.some((e) => e < requests.length); t++) {
    for (const core of cores) core.tick();
    pump();
  }
  const totalUs = cpuUs() - start;
  if (executed.some((e) => e !== requests.length))
    throw new Error(`executed ${executed} of ${requests.length}`);
  return { totalUs, checkUs };
}

const requests = makeRequests();
run(requests.slice(0, 256)); // warm-up (JIT); fresh cores and memo below
const { totalUs, checkUs } = run(requests);
const perRequest = (us: number) => Math.round((10 * us) / requestCount) / 10;
console.log(
  JSON.stringify({
    n,
    requests: requestCount,
    batchRequestsMax: batch,
    cpuUsPerRequestAllReplicas: perRequest(totalUs),
    requestCheckUsPerRequest: perRequest(checkUs),
    restUsPerRequest: perRequest(totalUs - checkUs),
  }),
);
