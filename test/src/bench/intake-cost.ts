import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { takeInSubmission } from '@suyuan/cloud/api/submission-intake';
import type { ClientRequest } from '@suyuan/cloud/consensus/types';
import { actor, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import { createReplicaHttp, type ReplicaHttpNode, submitInProcess } from '@suyuan/cloud/replica/http';
import { cachedRequestVerifier } from '@suyuan/cloud/replica/request-auth';
import { canonicalBytes, type SubmitRequest, toBase64Url } from '@suyuan/shared';

import { CpuTally, cpuUs, ReadingPayloads, writeBenchReport } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/intake-cost.ts [--base DIR] [--rounds 6] [--out file.json]`: CPU µs and minor
 * page faults per reading of the entry replica's POST /v1/submissions intake of 4,096-reading
 * gateway batches (`takeInSubmission`: parse, check, digest, decode), in one process, the two body
 * forms alternating every round (and with `--base DIR`, another tree's intake alternating with
 * this one's: DIR is e.g. a `git archive` of main with node_modules linked in):
 * - the body as session-6 gateways write it (members in insertion order: submitter, seq, created,
 *   payloads, signature): parsed, every reading encoded again, the encoded body checked;
 * - the same submission as its canonical bytes (what a gateway writing canonical order sends): the
 *   check proves the received bytes canonical and they go to consensus as they are.
 * Each intake has a fresh verifier (a memo miss, as for a new submission).
 * Then the hand-over of each taken-in request to the replica (its verifier already has the verdict):
 * session 6's `proposeThrough` (a base64url JSON body through the replica's hono POST /v1/requests)
 * against `submitInProcess`, both ending in a propose that accepts.
 */
const { values } = parseArgs({
  options: {
    /** Another tree of this repository (a `git archive` with node_modules linked): its intake too. */
    base: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    out: { type: 'string' },
    /** Profile one form alone: `canonical` or `encoded`. */
    only: { type: 'string' },
  },
});
const only = values.only === undefined ? undefined : values.only === 'canonical';
const rounds = Number(values.rounds);
const batchesPerRound = 4;
const readingsPerBatch = 4096;

const tally = new CpuTally();
const time = tally.time.bind(tally);

const gateway = actor('bench-gw');
const readings = new ReadingPayloads(T0);
function readingBatch(): SubmitRequest {
  const payloads = readings.next(readingsPerBatch);
  return submitBody(gateway, payloads, T0);
}

/** The body as edge/src/outbox/seal.ts `sealReadingBatch` wrote it in session 6 (not canonical). */
function sessionSixBody(body: SubmitRequest): Uint8Array {
  const s = body.submission;
  const texts = s.payloads.map((p) => Buffer.from(canonicalBytes(p)).toString('utf8'));
  return Buffer.from(
    `{"publicKey":${JSON.stringify(body.publicKey)},"submission":{` +
      `"submitter":${JSON.stringify(s.submitter)},"seq":${s.seq},"created":${s.created},` +
      `"payloads":[${texts.join(',')}],"signature":${JSON.stringify(s.signature)}}}`,
  );
}

/** A tree's intake and verifier: this checkout's, or (`--base`) another tree's own modules. */
interface IntakeTree {
  label: string;
  takeIn: typeof takeInSubmission;
  verifier: typeof cachedRequestVerifier;
}
const trees: IntakeTree[] = [
  { label: 'this tree', takeIn: takeInSubmission, verifier: cachedRequestVerifier },
];
if (values.base !== undefined) {
  const at = (path: string) => pathToFileURL(join(resolve(values.base!), path)).href;
  trees.unshift({
    label: 'base tree',
    takeIn: (await import(at('cloud/src/api/submission-intake.ts'))).takeInSubmission,
    verifier: (await import(at('cloud/src/replica/request-auth.ts'))).cachedRequestVerifier,
  });
}

const loadAverageAtStart = loadavg();
for (let round = 0; round < rounds; round++) {
  const batches = Array.from({ length: batchesPerRound }, readingBatch);
  const allForms: [string, Uint8Array[], boolean][] = [
    ['intake, session-6 body (encoded path)', batches.map(sessionSixBody), false],
    ['intake, canonical body (as received)', batches.map((b) => canonicalBytes(b)), true],
  ];
  const forms = only === undefined ? allForms : allForms.filter(([, , asReceived]) => asReceived === only);
  const runs = trees.flatMap((tree) => forms.map((form) => [tree, ...form] as const));
  for (const [tree, form, bodies, asReceived] of round % 2 === 1 ? runs.reverse() : runs) {
    const name = trees.length > 1 ? `${tree.label}: ${form}` : form;
    time(name, bodies.length * readingsPerBatch, () => {
      for (const bytes of bodies) {
        const verifier = tree.verifier();
        const intake = tree.takeIn(bytes, { verifySignature: verifier, takeChecked: verifier.takeChecked });
        if (!intake.ok || intake.asReceived !== asReceived) throw new Error(`${name}: unexpected intake`);
        if (!verifier(intake.request)) throw new Error('refused at propose');
      }
    });
  }
  const taken = batches.map((b) => {
    const verifier = cachedRequestVerifier();
    const intake = takeInSubmission(canonicalBytes(b), {
      verifySignature: verifier,
      takeChecked: verifier.takeChecked,
    });
    if (!intake.ok) throw new Error('refused');
    return { verifier, request: intake.request };
  });
  const replicaOf = (verifier: ReplicaHttpNode['verifyRequest']): ReplicaHttpNode => ({
    status: () => ({}),
    verifyRequest: verifier,
    propose: () => 'accepted',
    requestCommit: () => undefined,
    isPending: () => false,
    waitForCommit: async () => null,
  });
  const handOvers: [string, (t: (typeof taken)[number]) => Promise<string> | string][] = [
    ['hand-over, through POST /v1/requests (session 6)', (t) => proposeThrough(t.verifier, t.request)],
    ['hand-over, in process', (t) => submitInProcess(replicaOf(t.verifier), t.request, 2 * 1024 * 1024)],
  ];
  for (const [name, handOver] of round % 2 === 1 ? handOvers.reverse() : handOvers) {
    const start = cpuUs();
    for (const t of taken) if ((await handOver(t)) !== 'accepted') throw new Error(`${name}: not accepted`);
    tally.add(name, taken.length * readingsPerBatch, cpuUs() - start);
  }
  console.error(`round ${round + 1}/${rounds} done`);
}

/** ledger-replica-app.ts `proposeThrough` as session 6 had it, on a replica HTTP app of its own. */
async function proposeThrough(verifier: ReplicaHttpNode['verifyRequest'], request: ClientRequest) {
  const hono = createReplicaHttp({
    node: {
      status: () => ({}),
      verifyRequest: verifier,
      propose: () => 'accepted',
      requestCommit: () => undefined,
      isPending: () => false,
      waitForCommit: async () => null,
    },
  });
  const res = await hono.request('/v1/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ submitter: request.submitter, seq: request.seq, body: toBase64Url(request.body) }),
  });
  return res.status === 202 ? 'accepted' : 'rejected';
}
writeBenchReport('intake-cost', values.out, loadAverageAtStart, {
  base: values.base ?? null,
  rounds,
  batchesPerRound,
  readingsPerBatch,
  cpuUsPerReading: tally.perUnit(),
  minorFaultsPerThousandReadings: tally.faultsPerThousand(),
});
