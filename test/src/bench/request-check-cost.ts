import * as nodeCrypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientRequest, CommittedBatch } from '@suyuan/cloud/consensus/types';
import { defaultChains, parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import { parseSubmitBody } from '@suyuan/cloud/ledger/submission-check';
import { digestSubmission, encodeSubmission, intakeDigest } from '@suyuan/cloud/ledger/submission-digest';
import { actor, clientRequest, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import { cachedRequestVerifier, generalRequestCheck } from '@suyuan/cloud/replica/request-auth';
import { fastRequestCheck } from '@suyuan/cloud/replica/request-check-fast';
import {
  fromBase64Url,
  type Submission,
  submissionHeader,
  submissionSigningBytes,
  toBase64Url,
  verify,
} from '@suyuan/shared';
import { Submitter } from '../cluster/harness.ts';

import { CpuTally, gatewaySetupRequests, ReadingPayloads, writeBenchReport } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/request-check-cost.ts [--rounds 6] [--out file.json]`: CPU µs of one replica's
 * per-request work before and after session 6's request check, in one process, side by side with
 * the two variants alternating every round (CPU time, user + system):
 * - the request check as a backup replica runs it on a pre-prepare (a verdict-memo miss) for 1 KB
 *   consensus-bench requests, and per reading for 4,096-reading gateway submissions. Before: the
 *   plain-form path (decode, JSON.parse, every payload encoded again) plus the memo's SHA-256 key
 *   of the body; after: the canonical scan of the body's bytes, no body hash (request-auth.ts).
 *   Ed25519 alone (header signature only) is measured beside them: the part the bound counts.
 * - the entry replica's intake of a reading batch per reading: before, digested (every reading
 *   encoded and hashed) and then checked (hashed again); after, encoded, checked and digested from
 *   what the check derived (`intakeDigest`). Both with the new check.
 * - the ledger's execution of a reading batch (decode + execute + blocks) per reading, on two
 *   ledgers fed the same batches: before decodes and hashes every reading again; after takes
 *   what the check derived (LedgerMachine `takeChecked`).
 */
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '6' }, out: { type: 'string' } },
});
const rounds = Number(values.rounds);
const consensusRequestsPerRound = 2000;
const readingBatchesPerRound = 4;
const readingsPerBatch = 4096;

const tally = new CpuTally();
const time = tally.time.bind(tally);

const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash!;
/**
 * The session-5 memoised verifier (request-auth.ts at 5d5b103): the plain-form check, else the
 * general one, memoised by a SHA-256 of the body per request.
 */
function verifierBefore(): (request: ClientRequest) => boolean {
  const verdicts = new Map<string, boolean>();
  const byBody = new WeakMap<Uint8Array, { submitter: string; seq: number; verdict: boolean }>();
  return (request) => {
    const seen = byBody.get(request.body);
    if (seen !== undefined && seen.submitter === request.submitter && seen.seq === request.seq)
      return seen.verdict;
    const key = `${request.submitter}\u0000${request.seq}\u0000${oneShotHash('sha256', request.body, 'base64url')}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      const text = Buffer.from(
        request.body.buffer,
        request.body.byteOffset,
        request.body.byteLength,
      ).toString('utf8');
      const fast = fastRequestCheck(text, request.submitter, request.seq);
      verdict = fast === 'general' ? generalRequestCheck(text, request) : fast;
      if (verdicts.size >= 100_000) verdicts.delete(verdicts.keys().next().value!);
      verdicts.set(key, verdict);
    }
    byBody.set(request.body, { submitter: request.submitter, seq: request.seq, verdict });
    return verdict;
  };
}

function ed25519Inputs(request: ClientRequest) {
  const parsed = JSON.parse(Buffer.from(request.body).toString('utf8')) as {
    publicKey: string;
    submission: Submission;
  };
  return {
    key: fromBase64Url(parsed.publicKey),
    message: submissionSigningBytes(submissionHeader(parsed.submission)),
    signature: fromBase64Url(parsed.submission.signature),
  };
}

function assertAll(ok: boolean[], what: string): void {
  if (!ok.every(Boolean)) throw new Error(`${what}: a genuine request was refused`);
}

// 1 KB consensus-bench requests, fresh ones every round (each check is a memo miss).
const submitters = Array.from({ length: 64 }, () => new Submitter());
const consensusRequests = () =>
  Array.from({ length: consensusRequestsPerRound }, (_, i) => {
    const wire = submitters[i % submitters.length]!.make(900);
    return { submitter: wire.submitter, seq: wire.seq, body: fromBase64Url(wire.body) };
  });

// Gateway reading batches for a registered gateway with bound devices.
const admin = actor('admin');
const gateway = actor('bench-gw');
const readings = new ReadingPayloads(T0);
function readingBatch(): ClientRequest {
  const payloads = readings.next(readingsPerBatch);
  return clientRequest(submitBody(gateway, payloads, T0));
}

const loadAverageAtStart = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'suyuan-check-cost-'));
try {
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  });
  const ledgers = ['before', 'after'].map((label) => {
    const verifier = cachedRequestVerifier();
    const machine = new LedgerMachine(join(dir, `${label}.sqlite`), config, {
      verifySignature: verifier,
      ...(label === 'after' ? { takeChecked: verifier.takeChecked } : {}),
    });
    return { label, verifier, machine, seq: 0 };
  });
  const setup = gatewaySetupRequests(admin, gateway, readings.devices);
  const apply = (ledger: (typeof ledgers)[number], requests: ClientRequest[]) => {
    for (const r of requests) if (!ledger.verifier(r)) throw new Error('refused');
    ledger.machine.applyBatch({
      seq: ++ledger.seq,
      view: 0,
      requests,
      certificate: null,
    } as unknown as CommittedBatch);
  };
  for (const ledger of ledgers) for (const r of setup) apply(ledger, [r]);

  for (let round = 0; round < rounds; round++) {
    const small = consensusRequests();
    const ed = small.map(ed25519Inputs);
    const batches = Array.from({ length: readingBatchesPerRound }, readingBatch);
    const flip = round % 2 === 1;
    const checks: [string, () => void][] = [
      [
        '1 KB request: check before (plain-form path + memo hash)',
        () => {
          const verifier = verifierBefore();
          assertAll(
            small.map((r) => verifier(r)),
            'before',
          );
        },
      ],
      [
        '1 KB request: check after (canonical scan, memoised)',
        () => {
          const verifier = cachedRequestVerifier();
          assertAll(
            small.map((r) => verifier(r)),
            'after',
          );
        },
      ],
    ];
    for (const [name, work] of flip ? checks.reverse() : checks) time(name, small.length, work);
    time('1 KB request: Ed25519 verify alone', small.length, () =>
      assertAll(
        ed.map((e) => verify(e.key, e.message, e.signature)),
        'ed25519',
      ),
    );
    const readingChecks: [string, () => void][] = [
      [
        'reading: check before, per reading',
        () => {
          const verifier = verifierBefore();
          assertAll(
            batches.map((r) => verifier(r)),
            'before',
          );
        },
      ],
      [
        'reading: check after, per reading',
        () => {
          const verifier = cachedRequestVerifier();
          assertAll(
            batches.map((r) => verifier(r)),
            'after',
          );
        },
      ],
    ];
    for (const [name, work] of flip ? readingChecks.reverse() : readingChecks)
      time(name, batches.length * readingsPerBatch, work);
    // The entry replica's intake (POST /v1/submissions) of the same batches, parsed outside the
    // timing: digest, then check (each reading hashed twice) vs encode, check, digest from the check.
    const parsed = batches.map((b) => {
      const p = parseSubmitBody(JSON.parse(Buffer.from(b.body).toString('utf8')));
      if (!p.ok || !p.plain) throw new Error('not a plain reading batch');
      return p.body;
    });
    const intakes: [string, () => void][] = [
      [
        'reading: intake digest + check before, per reading',
        () => {
          const verifier = cachedRequestVerifier();
          for (const body of parsed) {
            const digest = digestSubmission(body, true);
            const s = body.submission;
            if (!verifier({ submitter: s.submitter, seq: s.seq, body: digest.bodyBytes }))
              throw new Error('refused');
          }
        },
      ],
      [
        'reading: intake digest + check after, per reading',
        () => {
          const verifier = cachedRequestVerifier();
          for (const body of parsed) {
            const encoded = encodeSubmission(body, true);
            const s = body.submission;
            const request = { submitter: s.submitter, seq: s.seq, body: encoded.bodyBytes };
            intakeDigest(request, body, true, encoded, verifier, verifier.takeChecked);
            if (!verifier(request)) throw new Error('refused');
          }
        },
      ],
    ];
    for (const [name, work] of flip ? intakes.reverse() : intakes)
      time(name, batches.length * readingsPerBatch, work);
    // Ledger execution: each ledger's own verifier checks first (outside the timing), as a
    // replica does at pre-prepare; then the batch executes.
    for (const ledger of flip ? [...ledgers].reverse() : ledgers) {
      for (const b of batches) if (!ledger.verifier(b)) throw new Error('refused');
      time(
        `reading: ledger execution ${ledger.label}, per reading`,
        batches.length * readingsPerBatch,
        () => {
          for (const b of batches) {
            ledger.machine.applyBatch({
              seq: ++ledger.seq,
              view: 0,
              requests: [b],
              certificate: null,
            } as unknown as CommittedBatch);
          }
        },
      );
    }
    const committed = ledgers.map((l) => l.machine.chains.submission(gateway.key.keyId, gateway.seq)?.status);
    if (committed.some((s) => s !== 'committed'))
      throw new Error(`reading batch not committed: ${committed}`);
    console.error(`round ${round + 1}/${rounds} done`);
  }
  writeBenchReport('request-check-cost', values.out, loadAverageAtStart, {
    rounds,
    consensusRequestsPerRound,
    readingBatchesPerRound,
    readingsPerBatch,
    cpuUsPer: tally.perUnit(),
  });
  for (const l of ledgers) l.machine.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
