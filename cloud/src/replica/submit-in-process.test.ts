import { generateKeyPair, toBase64Url } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { ClientRequest, ProposeResult } from '../consensus/types.ts';
import { createReplicaHttp, type ReplicaHttpNode, submitInProcess, wireRequestBytes } from './http.ts';
import { cachedRequestVerifier, signedRequest } from './request-auth.ts';

/**
 * The ledger API hands a submission to its replica in process (`submitInProcess`); the outcome must
 * be what the replica's POST /v1/requests answered it before (ledger-replica-app.ts `proposeThrough`
 * mapped 202 → accepted, 409 → duplicate, 503 → full, anything else → rejected).
 */
const alice = generateKeyPair();

function node(result: ProposeResult) {
  const proposed: ClientRequest[] = [];
  const replica: ReplicaHttpNode = {
    status: () => ({}),
    verifyRequest: cachedRequestVerifier(),
    propose: (r) => {
      proposed.push(r);
      return result;
    },
    requestCommit: () => undefined,
    isPending: () => false,
    waitForCommit: async () => null,
  };
  return { replica, proposed };
}

async function viaHttp(replica: ReplicaHttpNode, request: ClientRequest, requestBytesMax: number) {
  const app = createReplicaHttp({ node: replica, requestBytesMax });
  const res = await app.request('/v1/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ submitter: request.submitter, seq: request.seq, body: toBase64Url(request.body) }),
  });
  if (res.status === 202) return 'accepted';
  if (res.status === 409) return 'duplicate';
  if (res.status === 503) return 'full';
  return 'rejected';
}

describe('submitting in process', () => {
  const signed = signedRequest(alice, 1, [{ reading: 1 }], 1_700_000_000_000);
  const forged = { ...signed, body: Uint8Array.from(signed.body, (b, i) => (i === 20 ? b ^ 1 : b)) };
  const otherSeq = { ...signed, seq: 2 };
  const cases: [string, ClientRequest, number][] = [
    ['signed', signed, 2 * 1024 * 1024],
    ['forged', forged, 2 * 1024 * 1024],
    ['another seq', otherSeq, 2 * 1024 * 1024],
    ['at the wire limit', signed, wireRequestBytes(signed)],
    ['over the wire limit', signed, wireRequestBytes(signed) - 1],
  ];

  it('decides as POST /v1/requests does, for every core answer', async () => {
    for (const result of ['accepted', 'forwarded', 'duplicate', 'full', 'rejected'] as const) {
      for (const [name, request, limit] of cases) {
        const direct = node(result);
        const http = node(result);
        const expected = await viaHttp(http.replica, request, limit);
        expect([name, result, submitInProcess(direct.replica, request, limit)]).toEqual([
          name,
          result,
          expected,
        ]);
        expect(direct.proposed.length).toBe(http.proposed.length);
        // The request object itself goes to consensus, not a copy decoded from base64url.
        if (direct.proposed.length > 0) expect(direct.proposed[0]).toBe(request);
      }
    }
  });

  it('counts the wire form exactly', () => {
    const wire = JSON.stringify({
      submitter: signed.submitter,
      seq: signed.seq,
      body: toBase64Url(signed.body),
    });
    expect(wireRequestBytes(signed)).toBe(Buffer.byteLength(wire));
    for (const n of [1, 2, 3, 4, 5]) {
      const r = { ...signed, body: new Uint8Array(n) };
      expect(wireRequestBytes(r)).toBe(
        Buffer.byteLength(JSON.stringify({ submitter: r.submitter, seq: r.seq, body: toBase64Url(r.body) })),
      );
    }
  });
});
