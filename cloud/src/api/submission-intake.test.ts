import {
  canonicalBytes,
  generateKeyPair,
  type Payload,
  type SubmitRequest,
  toBase64Url,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRequest } from '../consensus/types.ts';
import { LedgerMachine } from '../ledger/ledger-machine.ts';
import { LocalOrderer } from '../ledger/local-orderer.ts';
import type { Decoded } from '../ledger/submission-check.ts';
import { payloadsTextOf } from '../ledger/submission-digest.ts';
import {
  type Actor,
  actor,
  events,
  gtin,
  item,
  type LedgerFixture,
  ledgerFixture,
  register,
  submitBody,
  T0,
} from '../ledger/testing.ts';
import { cachedRequestVerifier } from '../replica/request-auth.ts';
import { createLedgerApi } from './ledger-api.ts';
import { canonicalTail, looksCanonical, takeInSubmission } from './submission-intake.ts';

/**
 * POST /v1/submissions on a replica (a machine with the memoised request verifier): a canonical body
 * is handed to consensus as received, any other form is encoded first, and both give consensus the
 * same bytes and the ledger the same digest; refusals are worded alike.
 */
interface Replica {
  fx: LedgerFixture;
  machine: LedgerMachine;
  post(body: string): Promise<Response>;
  proposed: ClientRequest[];
  remembered: Decoded[];
}

let replicas: Replica[] = [];
const gateway: Actor = actor('farm-gw');
const admin = actor('admin');

function replica(): Replica {
  // The fixture supplies the temp dir and admin; the machine here has the replica's verifier.
  const fx = ledgerFixture();
  const verifier = cachedRequestVerifier();
  const config = fx.machine.config;
  const machine = new LedgerMachine(`${fx.dir}/replica.sqlite`, config, {
    verifySignature: verifier,
    takeChecked: verifier.takeChecked,
  });
  const orderer = new LocalOrderer(machine, generateKeyPair(), {
    batchRequestsMax: 64,
    pendingRequestsMax: 100,
  });
  const proposed: ClientRequest[] = [];
  const remembered: Decoded[] = [];
  const remember = machine.rememberDecoded.bind(machine);
  machine.rememberDecoded = (request, decoded) => {
    remembered.push(decoded);
    remember(request, decoded);
  };
  const app = createLedgerApi({
    machine,
    propose: (r) => {
      proposed.push(r);
      return orderer.propose(r);
    },
    replicaPublicKeys: orderer.replicaPublicKeys,
  });
  const r: Replica = {
    fx,
    machine,
    proposed,
    remembered,
    post: async (body) => {
      const res = await app.request('/v1/submissions', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      orderer.flush();
      return res;
    },
  };
  return r;
}

function adminOf(r: Replica): Actor {
  return r.fx.admin;
}

const reading = (seq: number, value: number): Payload => ({
  kind: 'reading',
  reading: { deviceId: 'probe-1', seq, time: T0, type: 'Temperature', value, uom: 'CEL' },
});
const canonicalText = (body: SubmitRequest) => Buffer.from(canonicalBytes(body)).toString('utf8');
/** The same content in another member order (publicKey last, the submission's members reversed). */
function reorderedText(body: SubmitRequest): string {
  const s = body.submission;
  const submission = {
    submitter: s.submitter,
    signature: s.signature,
    seq: s.seq,
    payloads: s.payloads,
    created: s.created,
  };
  return JSON.stringify({ submission, publicKey: body.publicKey });
}

beforeEach(async () => {
  replicas = [replica(), replica()];
  for (const r of replicas) {
    const a = adminOf(r);
    const reg = submitBody(a, [register(gateway, ['farm'])], T0);
    expect((await r.post(canonicalText(reg))).status).toBe(202);
    const bind: Payload = {
      kind: 'registry',
      action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
    };
    // Each replica has its own admin and ledger; the gateway signs the same body for both.
    expect((await r.post(canonicalText(submitBody(gateway, [bind], T0, 1)))).status).toBe(202);
    expect(r.machine.chains.submission(gateway.key.keyId, 1)?.status).toBe('committed');
  }
});
afterEach(() => {
  for (const r of replicas) {
    r.machine.close();
    r.fx.cleanup();
  }
});

function digestOf(d: Decoded) {
  if (!d.ok) throw new Error(`refused: ${d.code}`);
  return {
    header: d.header,
    leaves: d.leaves.map(toBase64Url),
    payloadsText: payloadsTextOf(d),
    bodyHash: toBase64Url(d.bodyHash),
    submissionBytes: d.submissionBytes,
    bodyBytes: Buffer.from(d.bodyBytes).toString('utf8'),
  };
}

describe('POST /v1/submissions intake', () => {
  it('hands consensus the same bytes and the ledger the same digest for a canonical and a reordered body', async () => {
    const body = submitBody(gateway, [reading(1, 20.5), reading(2, -3), reading(3, 1e-7)], T0 + 5, 2);
    const [asIs, encoded] = replicas as [Replica, Replica];
    expect((await asIs.post(canonicalText(body))).status).toBe(202);
    expect((await encoded.post(reorderedText(body))).status).toBe(202);
    const [a, b] = [asIs.proposed.at(-1)!, encoded.proposed.at(-1)!];
    expect(Buffer.from(a.body).toString('utf8')).toBe(canonicalText(body));
    expect(Buffer.from(b.body)).toEqual(Buffer.from(a.body));
    expect([a.submitter, a.seq]).toEqual([b.submitter, b.seq]);
    expect(digestOf(asIs.remembered.at(-1)!)).toEqual(digestOf(encoded.remembered.at(-1)!));
    for (const r of replicas)
      expect(r.machine.chains.submission(gateway.key.keyId, 2)?.status).toBe('committed');
    expect(asIs.machine.chains.batch(asIs.machine.lastApplied())?.stateDigest).toBeDefined();
  });

  it('takes a canonical reading batch as received and any other form the encoded way', () => {
    const machine = replicas[0]!.machine;
    const body = submitBody(gateway, [reading(1, 20)], T0, 9);
    const canonical = canonicalBytes(body);
    const taken = takeInSubmission(canonical, machine);
    expect(taken.ok && taken.asReceived).toBe(true);
    expect(taken.ok && taken.request.body).toBe(canonical);
    const other = takeInSubmission(Buffer.from(reorderedText(body)), machine);
    expect(other.ok && !other.asReceived).toBe(true);
    // An event batch is not a plain reading batch: zod's copy decides, so it is encoded.
    const farm = actor('farm');
    const event = submitBody(farm, [events.commission(T0, [item(gtin.tomato, 's1')])], T0);
    const eventIntake = takeInSubmission(canonicalBytes(event), machine);
    expect(eventIntake.ok && !eventIntake.asReceived).toBe(true);
    expect(looksCanonical(canonical)).toBe(true);
    expect(looksCanonical(Buffer.from(reorderedText(body)))).toBe(false);
    // Read in pieces from the check's derivation: no payloads text was made from the body.
    expect(taken.ok && taken.decoded.payloadsText).toBeUndefined();
    expect(taken.ok && taken.decoded.request).toEqual(JSON.parse(canonicalText(body)));
  });

  it('reads (submitter, seq) from a canonical tail and nothing from any other', () => {
    const body = submitBody(gateway, [reading(1, 20)], T0, 1234567);
    const text = canonicalText(body);
    expect(canonicalTail(Buffer.from(text))).toEqual({ submitter: gateway.key.keyId, seq: 1234567 });
    const s = body.submission;
    const withSeq = (seq: string) => Buffer.from(text.replace(`"seq":${s.seq},`, `"seq":${seq},`));
    expect(canonicalTail(withSeq('1'))).toEqual({ submitter: gateway.key.keyId, seq: 1 });
    expect(canonicalTail(withSeq('9007199254740991'))?.seq).toBe(Number.MAX_SAFE_INTEGER);
    for (const seq of ['0', '01', '9007199254740992', '12345678901234567', '', '-1', '1.5'])
      expect(canonicalTail(withSeq(seq))).toBeNull();
    expect(canonicalTail(Buffer.from(reorderedText(body)))).toBeNull();
    expect(canonicalTail(Buffer.from(text.slice(0, -1)))).toBeNull();
    expect(canonicalTail(Buffer.from(text.replace(',"signature":"', ',"signatur":"')))).toBeNull();
    expect(canonicalTail(new Uint8Array(0))).toBeNull();
  });

  it('words refusals of canonical bodies as before', async () => {
    const [asIs, encoded] = replicas as [Replica, Replica];
    const body = submitBody(gateway, [reading(1, 20)], T0, 3);
    const forged = { ...body, submission: { ...body.submission, created: body.submission.created + 1 } };
    const otherKey = { ...body, publicKey: toBase64Url(admin.key.publicKey) };
    const mismatchedSeq = { ...body, submission: { ...body.submission, seq: 4 } };
    for (const bad of [forged, otherKey, mismatchedSeq] as SubmitRequest[]) {
      const canonical = await asIs.post(canonicalText(bad));
      const reordered = await encoded.post(reorderedText(bad));
      expect(canonical.status).toBe(400);
      expect(reordered.status).toBe(400);
      expect(await canonical.json()).toEqual(await reordered.json());
    }
    const codes = await Promise.all(
      [forged, otherKey].map(async (bad) => {
        const res = await asIs.post(canonicalText(bad as SubmitRequest));
        return ((await res.json()) as { error: { code: string } }).error.code;
      }),
    );
    expect(codes).toEqual(['submission.badSignature', 'submission.keyMismatch']);
    expect(asIs.proposed.filter((r) => r.seq >= 3)).toEqual([]);
  });

  it('answers 409 for another canonical body under a used (submitter, seq) and 200 once committed', async () => {
    const [r] = replicas as [Replica];
    const body = submitBody(gateway, [reading(1, 20)], T0, 5);
    expect((await r.post(canonicalText(body))).status).toBe(202);
    const again = await r.post(reorderedText(body));
    expect(again.status).toBe(200);
    const other = submitBody(gateway, [reading(1, 21)], T0, 5);
    expect((await r.post(canonicalText(other))).status).toBe(409);
  });
});
