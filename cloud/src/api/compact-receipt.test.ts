import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalize,
  compactReceiptSchema,
  generateKeyPair,
  type Payload,
  submissionStatusSchema,
  toBase64Url,
  verifyTxProof,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultChains, parseLedgerConfig } from '../ledger/config.ts';
import {
  readingBatchWithoutPayloads,
  readingBatchWithoutPayloadsFromEdges,
  txEdgeBytes,
} from '../ledger/proofs.ts';
import { actor, register, submitBody, T0 } from '../ledger/testing.ts';
import { createSingleReplica, type SingleReplica } from './single-replica.ts';

/**
 * `GET /v1/submissions/{s}/{seq}?receipt=compact`: a reading batch's transaction comes without its
 * readings, cut from the stored canonical text; put back, they give the full form's transaction, so
 * the same proof holds. Without the parameter (an older gateway) the answer is the full form.
 */
let dir: string;
let node: SingleReplica;
const admin = actor('admin');
const gateway = actor('farm-gw');

const post = (body: unknown) =>
  node.app.request('/v1/submissions', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-compact-receipt-'));
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  });
  node = createSingleReplica({ path: join(dir, 'l.sqlite'), config, key: generateKeyPair(), schedule: null });
  expect((await post(submitBody(admin, [register(gateway, ['farm'])], T0))).status).toBe(202);
  node.orderer.flush();
  const binds: Payload[] = ['probe-1', 'probe-2'].map((deviceId) => ({
    kind: 'registry',
    action: { type: 'bindDevice', deviceId, gateway: gateway.key.keyId },
  }));
  expect((await post(submitBody(gateway, binds, T0))).status).toBe(202);
  node.orderer.flush();
});
afterEach(() => {
  node.close();
  rmSync(dir, { recursive: true, force: true });
});

const reading = (deviceId: string, seq: number, value: number): Payload => ({
  kind: 'reading',
  reading: { deviceId, seq, time: T0 + seq, type: 'Temperature', value, uom: 'CEL' },
});

describe('compact receipts', () => {
  it('omits a reading batch payloads on request; spliced back they are the full transaction', async () => {
    // Sequence gaps on both devices, so the transaction's `gaps` (before `payloads`) is not empty.
    const payloads = [reading('probe-1', 1, 20.5), reading('probe-2', 1, -3), reading('probe-1', 5, 1e21)];
    payloads.push(reading('probe-2', 9, 0.1));
    const body = submitBody(gateway, payloads, T0);
    expect((await post(body)).status).toBe(202);
    node.orderer.flush();
    const path = `/v1/submissions/${gateway.key.keyId}/${body.submission.seq}`;

    const fullRes = await node.app.request(path);
    const full = submissionStatusSchema.parse(await fullRes.json());
    if (full.status !== 'committed') throw new Error(`not committed: ${full.status}`);
    const fullEntry = full.receipt.entries[0]!;
    expect(fullEntry.tx.kind).toBe('readingBatch');
    expect(verifyTxProof(fullEntry.tx, fullEntry.proof, node.orderer.replicaPublicKeys)).toBeNull();

    const compactRes = await node.app.request(`${path}?receipt=compact&waitMs=0`);
    const answer = (await compactRes.json()) as { status: string; receipt: unknown };
    expect(answer.status).toBe('committed');
    const compact = compactReceiptSchema.parse(answer.receipt);
    const entry = compact.entries[0]!;
    expect(entry).toMatchObject({ payloadsOmitted: true, payloadIndexes: [0, 1, 2, 3] });
    expect('payloads' in entry.tx).toBe(false);
    expect((entry.tx as { gaps: unknown[] }).gaps.length).toBeGreaterThan(0);
    expect(entry.proof).toEqual(fullEntry.proof);
    const spliced = { ...entry.tx, payloads: payloads };
    expect(canonicalize(spliced)).toBe(canonicalize(fullEntry.tx));

    // Another form name is answered in full, as an older replica answers any.
    const other = (await (await node.app.request(`${path}?receipt=tiny`)).json()) as typeof full;
    expect(other).toEqual(full);
  });

  it('cuts a large reading batch from the ends of its stored text alone, to the same entry', async () => {
    const payloads = Array.from({ length: 300 }, (_, i) => reading('probe-1', i + 1, i / 8));
    const body = submitBody(gateway, payloads, T0);
    expect((await post(body)).status).toBe(202);
    node.orderer.flush();
    const path = `/v1/submissions/${gateway.key.keyId}/${body.submission.seq}`;
    const full = submissionStatusSchema.parse(await (await node.app.request(path)).json());
    if (full.status !== 'committed') throw new Error(`not committed: ${full.status}`);
    const { location } = full.receipt.entries[0]!.proof;
    const stored = node.machine.chains.txBytes(location.chain, location.height, location.index)!;
    expect(stored.length).toBeGreaterThan(2 * txEdgeBytes); // the edges path, not the whole text
    const wholeReads = vi.spyOn(node.machine.chains, 'txBytes');
    const answer = (await (await node.app.request(`${path}?receipt=compact`)).json()) as { receipt: unknown };
    expect(wholeReads).not.toHaveBeenCalled();
    const entry = compactReceiptSchema.parse(answer.receipt).entries[0]!;
    expect(entry).toMatchObject({ payloadsOmitted: true });
    expect(entry.proof).toEqual(full.receipt.entries[0]!.proof);
    expect(canonicalize({ ...entry.tx, payloads })).toBe(canonicalize(full.receipt.entries[0]!.tx));
  });

  it('keeps other kinds in full', async () => {
    const body = submitBody(admin, [register(actor('farm-2'), ['farm'])], T0);
    expect((await post(body)).status).toBe(202);
    node.orderer.flush();
    const path = `/v1/submissions/${admin.key.keyId}/${body.submission.seq}`;
    const full = await (await node.app.request(path)).json();
    const compact = await (await node.app.request(`${path}?receipt=compact`)).json();
    expect(compact).toEqual(full);
    expect(submissionStatusSchema.safeParse(compact).success).toBe(true);
  });
});

const canonicalBuffer = (value: unknown) => Buffer.from(canonicalize(value));

describe('readingBatchWithoutPayloads', () => {
  const signed = { payloadCount: 1, seq: 1, submitter: 'a'.repeat(43) };
  it('cuts exactly the payloads member out of a canonical text, and refuses other texts', () => {
    const gaps = [{ after: 1, deviceId: 'x:"kind":"readingBatch","payloads":[', next: 3 }];
    const tx = {
      v: 1,
      kind: 'readingBatch',
      signed,
      gaps,
      payloads: [{ kind: 'reading', reading: { a: ']' } }],
    };
    const { payloads: _payloads, ...rest } = tx;
    expect(readingBatchWithoutPayloads(canonicalBuffer(tx))).toEqual(rest);
    expect(readingBatchWithoutPayloads(canonicalBuffer({ ...tx, payloads: [] }))).toEqual(rest);
    expect(readingBatchWithoutPayloads(canonicalBuffer({ ...tx, extra: 1 }))).toBeNull();
    expect(readingBatchWithoutPayloads(canonicalBuffer({ ...tx, kind: 'payload' }))).toBeNull();
    expect(readingBatchWithoutPayloads(Buffer.from('{"gaps":[],"kind":"readingBatch"}'))).toBeNull();
  });

  it('cuts the same from the two ends of a long text, and gives up when a marker is not in them', () => {
    const payloads = Array.from({ length: 400 }, (_, i) => ({
      kind: 'reading',
      reading: { i, a: '],"signed":{' },
    }));
    const edges = (text: Buffer) => ({
      head: text.subarray(0, 4096),
      tail: text.subarray(text.length - 4096),
    });
    const tx = { v: 1, kind: 'readingBatch', signed, gaps: [{ after: 1, deviceId: 'd', next: 3 }], payloads };
    const { payloads: _payloads, ...rest } = tx;
    const text = canonicalBuffer(tx);
    expect(text.length).toBeGreaterThan(3 * 4096);
    expect(readingBatchWithoutPayloadsFromEdges(edges(text))).toEqual(rest);
    const longGaps = Array.from({ length: 300 }, (_, i) => ({
      after: i,
      deviceId: `device-${i}`,
      next: i + 2,
    }));
    const late = canonicalBuffer({ ...tx, gaps: longGaps }); // the payloads marker is past the head
    expect(readingBatchWithoutPayloadsFromEdges(edges(late))).toBeNull();
    expect(readingBatchWithoutPayloads(late)).toEqual({ ...rest, gaps: longGaps });
  });
});
