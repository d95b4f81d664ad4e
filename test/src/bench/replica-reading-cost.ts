import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClientRequest, CommittedBatch } from '@suyuan/cloud/consensus/types';
import { actor, clientRequest, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import { toBase64Url } from '@suyuan/shared';
import { repoRoot } from '../cluster/harness.ts';

import { CpuTally, gatewaySetupRequests, ReadingPayloads, writeBenchReport } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/replica-reading-cost.ts --base DIR [--rounds 6] [--out file.json]`: CPU µs
 * per reading of a backup replica's work on a 4,096-reading gateway batch — the request check at
 * pre-prepare (a memo miss), its persistence (the log record's body, the committed batch) and the
 * batch's execution (decode, execute, blocks, SQLite, in the replica store's database) — for this
 * checkout and for the checkout at DIR (another tree of this repository, e.g. a `git archive` of an
 * older commit with node_modules linked in), in ONE process with the two alternating every round,
 * so both see the same machine load. Each tree's own modules (ledger, verifier, shared) are used.
 */
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    out: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const batchesPerRound = 4;
const readingsPerBatch = 4096;

interface Tree {
  label: string;
  LedgerMachine: typeof import('@suyuan/cloud/ledger/ledger-machine').LedgerMachine;
  cachedRequestVerifier: typeof import('@suyuan/cloud/replica/request-auth').cachedRequestVerifier;
  parseLedgerConfig: typeof import('@suyuan/cloud/ledger/config').parseLedgerConfig;
  defaultChains: typeof import('@suyuan/cloud/ledger/config').defaultChains;
  ReplicaStore: typeof import('@suyuan/cloud/replica/replica-store').ReplicaStore;
  /** The entry replica's POST /v1/submissions work on a body: parse, check, digest, decode. */
  intake: (bytes: Uint8Array, verifier: IntakeVerifier) => ClientRequest;
  /** Whether that intake takes a canonical body as received (session 7 on), so both forms are timed. */
  takesCanonical: boolean;
}

type IntakeVerifier = ReturnType<Tree['cachedRequestVerifier']>;

/** This tree's intake (`takeInSubmission`), or session 6's handler steps from an older tree. */
async function loadIntake(at: (path: string) => string): Promise<Tree['intake']> {
  try {
    const { takeInSubmission } = await import(at('cloud/src/api/submission-intake.ts'));
    return (bytes, verifier) => {
      const intake = takeInSubmission(bytes, {
        verifySignature: verifier,
        takeChecked: verifier.takeChecked,
      });
      if (!intake.ok) throw new Error(`refused: ${intake.code}`);
      return intake.request;
    };
  } catch {
    const { plainReadingRequest } = await import(at('cloud/src/ledger/plain-request.ts'));
    const { decodeRequest } = await import(at('cloud/src/ledger/submission-check.ts'));
    const { encodeSubmission, intakeDigest } = await import(at('cloud/src/ledger/submission-digest.ts'));
    return (bytes, verifier) => {
      const body = plainReadingRequest(JSON.parse(Buffer.from(bytes).toString('utf8')));
      if (body === null) throw new Error('not a plain reading batch');
      const s = body.submission;
      const encoded = encodeSubmission(body, true);
      const request = { submitter: s.submitter, seq: s.seq, body: encoded.bodyBytes };
      const digest = intakeDigest(request, body, true, encoded, verifier, verifier.takeChecked);
      const decoded = decodeRequest(request, verifier, { body, plain: true, digest });
      if (!decoded.ok) throw new Error(`refused: ${decoded.code}`);
      return request;
    };
  }
}

/** The body as edge/src/outbox/seal.ts `sealReadingBatch` wrote it in session 6 (not canonical). */
function sessionSixBody(request: ClientRequest): Uint8Array {
  const { publicKey, submission: s } = JSON.parse(Buffer.from(request.body).toString('utf8'));
  const payloads = Buffer.from(request.body)
    .toString('utf8')
    .match(/"payloads":\[(.*)\],"seq"/)![1]!;
  return Buffer.from(
    `{"publicKey":${JSON.stringify(publicKey)},"submission":{` +
      `"submitter":${JSON.stringify(s.submitter)},"seq":${s.seq},"created":${s.created},` +
      `"payloads":[${payloads}],"signature":${JSON.stringify(s.signature)}}}`,
  );
}

async function loadTree(label: string, root: string): Promise<Tree> {
  const at = (path: string) => pathToFileURL(join(root, path)).href;
  const machine = await import(at('cloud/src/ledger/ledger-machine.ts'));
  const auth = await import(at('cloud/src/replica/request-auth.ts'));
  const config = await import(at('cloud/src/ledger/config.ts'));
  const store = await import(at('cloud/src/replica/replica-store.ts'));
  return {
    label,
    LedgerMachine: machine.LedgerMachine,
    cachedRequestVerifier: auth.cachedRequestVerifier,
    parseLedgerConfig: config.parseLedgerConfig,
    defaultChains: config.defaultChains,
    ReplicaStore: store.ReplicaStore,
    intake: await loadIntake(at),
    takesCanonical: await import(at('cloud/src/api/submission-intake.ts')).then(
      () => true,
      () => false,
    ),
  };
}

const tally = new CpuTally();
const time = tally.time.bind(tally);

const admin = actor('admin');
const gateway = actor('bench-gw');
const readings = new ReadingPayloads(T0);
function readingBatch(): ClientRequest {
  const payloads = readings.next(readingsPerBatch);
  return clientRequest(submitBody(gateway, payloads, T0));
}

const trees = [await loadTree('this tree', repoRoot)];
if (values.base !== undefined) trees.unshift(await loadTree('base tree', resolve(values.base)));
const loadAverageAtStart = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'suyuan-replica-cost-'));
try {
  const replicas = trees.map((tree, i) => {
    const config = tree.parseLedgerConfig({
      chains: tree.defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    });
    const verifier = tree.cachedRequestVerifier();
    // As in a replica process: the ledger's tables live in the replica store's database.
    const store = new tree.ReplicaStore(join(dir, `replica-${i}.sqlite`));
    const machine = new tree.LedgerMachine(store.db, config, {
      verifySignature: verifier,
      takeChecked: verifier.takeChecked,
    });
    return { tree, verifier, store, machine, seq: 0 };
  });
  /**
   * What a backup does with a batch: check its requests at pre-prepare and persist the log record
   * (its body), then, in a later drain, persist the committed batch and execute it, each drain one
   * SQLite transaction (driver.ts).
   */
  const apply = (replica: (typeof replicas)[number], requests: ClientRequest[], readings = 0) => {
    time(`${replica.tree.label}:   of which the request check`, readings, () => {
      for (const r of requests) if (!replica.verifier(r)) throw new Error(`${replica.tree.label}: refused`);
    });
    time(`${replica.tree.label}:   of which persistence + execution`, readings, () =>
      persistAndExecute(replica, requests),
    );
  };
  const persistAndExecute = (replica: (typeof replicas)[number], requests: ClientRequest[]) => {
    const seq = ++replica.seq;
    const batchDigest = new Uint8Array(32).fill(seq % 256);
    const { db } = replica.store;
    db.transaction(() =>
      replica.store.saveReady([{ kind: 'log', seq, view: 0, batchDigest, requests }], [], []),
    )();
    const batch: CommittedBatch = {
      seq,
      view: 0,
      requests,
      certificate: { view: 0, seq, batchDigest, signatures: [] },
    } as unknown as CommittedBatch;
    db.transaction(() => {
      replica.store.saveReady([], [batch], []);
      replica.machine.applyBatch(batch);
    })();
  };
  const setup = gatewaySetupRequests(admin, gateway, readings.devices);
  for (const replica of replicas) for (const r of setup) apply(replica, [r]);

  for (let round = 0; round < rounds; round++) {
    const batches = Array.from({ length: batchesPerRound }, readingBatch);
    const order = round % 2 === 1 ? [...replicas].reverse() : replicas;
    for (const replica of order) {
      // Fresh copies of the bodies: a backup receives its own bytes in each pre-prepare.
      const received = batches.map((b) => ({ ...b, body: Uint8Array.from(b.body) }));
      time(
        `${replica.tree.label}: backup check + execution, per reading`,
        received.length * readingsPerBatch,
        () => {
          for (const request of received) apply(replica, [request], readingsPerBatch);
        },
      );
      const outcome = replica.machine.chains.submission(gateway.key.keyId, gateway.seq);
      if (outcome?.status !== 'committed') throw new Error(`${replica.tree.label}: not committed`);
    }
    // The entry replica's intake of the same batches: session 6's gateway body, and (for a tree
    // that takes it as received) the canonical body a gateway writing canonical order sends.
    const forms = batches.map((b) => ({ canonical: b.body, sessionSix: sessionSixBody(b) }));
    for (const replica of order) {
      const kinds = replica.tree.takesCanonical
        ? (['sessionSix', 'canonical'] as const)
        : (['sessionSix'] as const);
      for (const kind of kinds) {
        time(
          `${replica.tree.label}: intake of a ${kind === 'canonical' ? 'canonical' : 'session-6'} body, per reading`,
          forms.length * readingsPerBatch,
          () => {
            for (const form of forms) replica.tree.intake(form[kind], replica.tree.cachedRequestVerifier());
          },
        );
      }
    }
    const digests = replicas.map((r) => toBase64Url(r.machine.chains.batch(r.seq)!.stateDigest));
    if (new Set(digests).size !== 1) throw new Error(`the trees reached different states: ${digests}`);
    console.error(`round ${round + 1}/${rounds} done`);
  }
  writeBenchReport('replica-reading-cost', values.out, loadAverageAtStart, {
    base: values.base ?? null,
    rounds,
    batchesPerRound,
    readingsPerBatch,
    cpuUsPerReading: tally.perUnit(),
    minorFaultsPerThousandReadings: tally.faultsPerThousand(),
  });
  for (const r of replicas) {
    r.machine.close();
    r.store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
