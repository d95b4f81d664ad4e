import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  submissionStatusSchema,
  submitBodyBytesMax,
  toBase64Url,
  verifyTxProof,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultChains, parseLedgerConfig } from '../ledger/config.ts';
import { actor, events, gtin, item, register, submitBody, T0 } from '../ledger/testing.ts';
import { createSingleReplica, type SingleReplica } from './single-replica.ts';

let dir: string;
let node: SingleReplica;
const admin = actor('admin');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-api-unit-'));
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  });
  node = createSingleReplica({ path: join(dir, 'l.sqlite'), config, key: generateKeyPair(), schedule: null });
});
afterEach(() => {
  node.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: string) =>
  node.app.request('/v1/submissions', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('POST /v1/submissions', () => {
  it('answers 400 with a code for malformed bodies and bad signatures', async () => {
    expect(await errorCode(await post('{not json'))).toBe('body.malformed');
    const res = await post(JSON.stringify({ publicKey: 'x', submission: {} }));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('submission.invalid');
    const forged = submitBody(admin, [register(actor('f'), ['farm'])], T0);
    forged.submission.created += 1;
    const bad = await post(JSON.stringify(forged));
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe('submission.badSignature');
  });

  it('answers 413 past the body limit', async () => {
    const res = await post(`"${'x'.repeat(submitBodyBytesMax + 10)}"`);
    expect(res.status).toBe(413);
  });

  it('is idempotent by (submitter, seq) and answers 409 for another body', async () => {
    const farm = actor('farm');
    const body = submitBody(admin, [register(farm, ['farm'])], T0);
    expect((await post(JSON.stringify(body))).status).toBe(202);
    expect((await post(JSON.stringify(body))).status).toBe(202);
    const other = submitBody(admin, [register(actor('other'), ['farm'])], T0, body.submission.seq);
    expect((await post(JSON.stringify(other))).status).toBe(409);
    node.orderer.flush();
    const again = await post(JSON.stringify(body));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'committed', receipt: { seq: body.submission.seq } });
    expect((await post(JSON.stringify(other))).status).toBe(409);
  });

  it('shows rejections to their submitter, paginated', async () => {
    const stranger = actor('stranger');
    for (let i = 0; i < 3; i++)
      await post(
        JSON.stringify(submitBody(stranger, [events.commission(T0, [item(gtin.tomato, `X${i}`)])], T0)),
      );
    node.orderer.flush();
    const status = await node.app.request(`/v1/submissions/${stranger.key.keyId}/1`);
    expect(await status.json()).toMatchObject({
      status: 'rejected',
      reason: { code: 'submission.unregistered' },
    });
    const page1 = (await (
      await node.app.request(`/v1/rejections?submitter=${stranger.key.keyId}&limit=2`)
    ).json()) as {
      items: { seq: number }[];
      next: string | null;
    };
    expect(page1.items).toHaveLength(2);
    const page2 = (await (
      await node.app.request(`/v1/rejections?submitter=${stranger.key.keyId}&limit=2&after=${page1.next}`)
    ).json()) as { items: { seq: number }[]; next: string | null };
    expect([...page1.items, ...page2.items].map((r) => r.seq).sort()).toEqual([1, 2, 3]);
    expect(page2.next).toBeNull();
  });

  it('records a rejection in a certified block: the submitter gets it with a proof that verifies', async () => {
    const stranger = actor('stranger');
    const body = submitBody(stranger, [events.commission(T0, [item(gtin.tomato, 'R1')])], T0);
    await post(JSON.stringify(body));
    node.orderer.flush();
    const status = submissionStatusSchema.parse(
      await (await node.app.request(`/v1/submissions/${stranger.key.keyId}/1`)).json(),
    );
    if (status.status !== 'rejected') throw new Error(`expected rejected, got ${status.status}`);
    const receipt = status.receipt!;
    expect(receipt.tx).toMatchObject({
      kind: 'rejection',
      submitter: stranger.key.keyId,
      seq: 1,
      reason: { code: 'submission.unregistered' },
    });
    // The verdict is on the chain the submission targeted, under a commit certificate.
    expect(receipt.proof.location.chain).toBe('trace');
    expect(verifyTxProof(receipt.tx, receipt.proof, node.orderer.replicaPublicKeys)).toBeNull();
    const forgedReason = { ...receipt.tx, reason: { code: 'ok', message: 'accepted' } };
    expect(verifyTxProof(forgedReason, receipt.proof, node.orderer.replicaPublicKeys)).not.toBeNull();
    const block = (await (await node.app.request('/v1/chains/trace/blocks/1')).json()) as {
      header: { txCount: number };
    };
    expect(block.header.txCount).toBe(1);
  });
});

describe('read side', () => {
  it('serves the OpenAPI document, chains, blocks and clear 4xx for bad paths', async () => {
    const doc = (await (await node.app.request('/v1/openapi.json')).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/trace/backward/{id}');
    await post(JSON.stringify(submitBody(admin, [register(actor('farm'), ['farm'])], T0)));
    node.orderer.flush();
    const chains = (await (await node.app.request('/v1/chains')).json()) as {
      chains: { name: string; height: number }[];
    };
    expect(chains.chains.find((c) => c.name === 'registry')?.height).toBe(1);
    const block = (await (await node.app.request('/v1/chains/registry/blocks/1')).json()) as {
      txs: unknown[];
    };
    expect(block.txs).toHaveLength(1);
    // The stored tx texts are spliced in: the same JSON as the parsed txs stringified again.
    const raw = await node.app.request('/v1/chains/registry/blocks/1');
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await raw.text();
    const { proof } = JSON.parse(text) as { proof: unknown };
    expect(proof).not.toBeNull();
    expect(text).toBe(
      JSON.stringify({
        header: node.machine.chains.block('registry', 1)?.header,
        txs: [node.machine.chains.tx('registry', 1, 0)],
        proof,
      }),
    );
    expect((await node.app.request('/v1/chains/nope/blocks')).status).toBe(404);
    expect((await node.app.request('/v1/trace/backward/not-an-id')).status).toBe(400);
    expect(
      (await node.app.request(`/v1/trace/forward/${encodeURIComponent(item(gtin.tomato, 'none'))}`)).status,
    ).toBe(404);
    expect((await node.app.request('/v1/rejections?limit=1000')).status).toBe(400);
    expect(
      (await node.app.request(`/v1/participants/${encodeURIComponent('urn:suyuan:party:farm')}`)).status,
    ).toBe(200);
  });
});
