import { generateKeyPair, SeededRng, toBase64Url } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { ClientRequest } from '../consensus/types.ts';
import type { ProposeResult } from './core-port.ts';
import {
  createReplicaHttp,
  parseWireRequest,
  parseWireRequestBySchema,
  type ReplicaHttpNode,
} from './http.ts';
import { cachedRequestVerifier, signedRequest } from './request-auth.ts';

const alice = generateKeyPair();

function fakeNode(result: ProposeResult) {
  const proposed: ClientRequest[] = [];
  const node: ReplicaHttpNode = {
    status: () => ({ id: 0, view: 3 }),
    verifyRequest: cachedRequestVerifier(),
    propose: (r) => {
      proposed.push(r);
      return result;
    },
    requestCommit: (submitter, seq) =>
      submitter === alice.keyId && seq === 1
        ? { batchSeq: 7, certificate: { view: 0, seq: 7, batchDigest: new Uint8Array(32), signatures: [] } }
        : undefined,
    isPending: (_submitter, seq) => seq === 2,
    waitForCommit: async (_submitter, seq) => (seq === 4 ? 11 : null),
  };
  return { node, proposed };
}

function post(app: ReturnType<typeof createReplicaHttp>, json: unknown) {
  return app.request('/v1/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
}

const wire = (r: ClientRequest) => ({ submitter: r.submitter, seq: r.seq, body: toBase64Url(r.body) });

describe('replica HTTP', () => {
  it('accepts a signed request and maps core answers to status codes', async () => {
    const request = signedRequest(alice, 1, [{ reading: 1 }], 1_700_000_000_000);
    for (const [result, code] of [
      ['accepted', 202],
      ['forwarded', 202],
      ['duplicate', 409],
      ['full', 503],
    ] as const) {
      const { node, proposed } = fakeNode(result);
      const res = await post(createReplicaHttp({ node }), wire(request));
      expect(res.status).toBe(code);
      expect(await res.json()).toEqual({ status: result });
      expect(proposed[0]?.body).toEqual(request.body);
    }
  });

  it('waits for the commit when asked', async () => {
    const { node } = fakeNode('accepted');
    const app = createReplicaHttp({ node });
    const waitPost = (r: ClientRequest) =>
      app.request('/v1/requests?wait=commit', { method: 'POST', body: JSON.stringify(wire(r)) });
    const committed = await waitPost(signedRequest(alice, 4, [1], 1));
    expect([committed.status, await committed.json()]).toEqual([200, { status: 'committed', batchSeq: 11 }]);
    const old = await waitPost(signedRequest(alice, 1, [1], 1));
    expect([old.status, await old.json()]).toEqual([200, { status: 'committed', batchSeq: 7 }]);
    const slow = await waitPost(signedRequest(alice, 5, [1], 1));
    expect([slow.status, await slow.json()]).toEqual([202, { status: 'pending' }]);
  });

  it('takes a batch of requests, each with its own outcome', async () => {
    const { node, proposed } = fakeNode('accepted');
    const app = createReplicaHttp({ node });
    const good = wire(signedRequest(alice, 4, [1], 1));
    const forged = { ...wire(signedRequest(alice, 6, [1], 1)), seq: 7 };
    const res = await app.request('/v1/requests/batch?wait=commit', {
      method: 'POST',
      body: JSON.stringify({ requests: [good, forged, { seq: 1 }] }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { status: string; batchSeq?: number }[] };
    expect(results.map((r) => r.status)).toEqual(['committed', 'invalid', 'invalid']);
    expect(results[0]?.batchSeq).toBe(11);
    expect(proposed).toHaveLength(1);
    const empty = await app.request('/v1/requests/batch', { method: 'POST', body: '{"requests":[]}' });
    expect(empty.status).toBe(400);
  });

  it('refuses bad shapes, bad signatures and oversized bodies with the reason', async () => {
    const { node, proposed } = fakeNode('accepted');
    const app = createReplicaHttp({ node, requestBytesMax: 4096 });
    const request = signedRequest(alice, 1, [{ reading: 1 }], 1);
    const forged = { ...wire(request), seq: 2 }; // the signature covers seq 1
    const cases: [unknown, number, RegExp][] = [
      [{ ...wire(request), seq: 0 }, 400, /seq/],
      [{ ...wire(request), submitter: 'x' }, 400, /submitter/],
      [{ ...wire(request), body: 'not base64!' }, 400, /body/],
      [forged, 400, /not signed/],
      [{ ...wire(request), body: 'A'.repeat(5000) }, 413, /requestBytesMax/],
    ];
    for (const [json, code, message] of cases) {
      const res = await post(app, json);
      expect(res.status).toBe(code);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const notJson = await app.request('/v1/requests', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(proposed).toEqual([]);
  });

  it('reports request status, health and replica status, and mounts extra routes', async () => {
    const { node } = fakeNode('accepted');
    const app = createReplicaHttp({
      node,
      extraRoutes: (hono) => hono.get('/v1/extra', (c) => c.text('yes')),
    });
    const committed = await app.request(`/v1/requests/${alice.keyId}/1`);
    expect(await committed.json()).toMatchObject({
      status: 'committed',
      batchSeq: 7,
      certificate: { seq: 7 },
    });
    expect(await (await app.request(`/v1/requests/${alice.keyId}/2`)).json()).toEqual({ status: 'pending' });
    expect((await app.request(`/v1/requests/${alice.keyId}/3`)).status).toBe(404);
    expect((await app.request(`/v1/requests/${alice.keyId}/zero`)).status).toBe(400);
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true });
    expect(await (await app.request('/v1/status')).json()).toEqual({ id: 0, view: 3 });
    expect(await (await app.request('/v1/extra')).text()).toBe('yes');
  });
});

describe('wire request parsing', () => {
  it('the direct check agrees with the schema on seeded variations', () => {
    const rng = new SeededRng(7);
    const base = wire(signedRequest(alice, 3, [{ a: 1 }], 1));
    const variants: unknown[] = [
      base,
      { ...base, extra: true },
      { ...base, seq: 0 },
      { ...base, seq: 2.5 },
      { ...base, seq: Number.MAX_SAFE_INTEGER + 2 },
      { ...base, seq: '3' },
      { ...base, submitter: `${base.submitter}x` },
      { ...base, submitter: 5 },
      { ...base, body: '' },
      { ...base, body: `${base.body}=` },
      { ...base, body: `${base.body.slice(0, -1)}B` },
      { seq: 1, body: base.body },
      [base],
      null,
      'text',
    ];
    for (let i = 0; i < 200; i++) {
      const text = JSON.stringify(base);
      const at = rng.int(text.length);
      variants.push(`${text.slice(0, at)}${String.fromCharCode(32 + rng.int(90))}${text.slice(at + 1)}`);
    }
    for (const v of variants) {
      let json: unknown = v;
      if (typeof v === 'string' && v.startsWith('{')) {
        try {
          json = JSON.parse(v);
        } catch {
          continue;
        }
      }
      expect(parseWireRequest(json)).toEqual(parseWireRequestBySchema(json));
    }
  });
});
