import { verifyTrace } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultChains } from './config.ts';
import { ProofBuilder } from './proofs.ts';
import { batchTime } from './submission-check.ts';
import {
  actor,
  events,
  gtin,
  item,
  type LedgerFixture,
  ledgerFixture,
  register,
  submitBody,
  T0,
} from './testing.ts';
import { TraceQuery } from './trace-query.ts';

let fx: LedgerFixture;
afterEach(() => fx?.cleanup());

describe('chains are configuration', () => {
  it('routes a listed participant to a further chain; one item history spans both, anchored and verified', () => {
    const south = actor('south-farm');
    const carrier = actor('carrier');
    fx = ledgerFixture({
      chains: [...defaultChains, { name: 'trace-south', kind: 'trace', participants: [south.id] }],
    });
    const box = item(gtin.tomato, 'S1');
    expect(
      fx.run(submitBody(fx.admin, [register(south, ['farm']), register(carrier, ['logistics'])], T0))?.status,
    ).toBe('committed');
    const commissioned = fx.run(submitBody(south, [events.commission(T0, [box])], T0));
    expect(commissioned?.txs[0]?.chain).toBe('trace-south');
    const shipped = fx.run(submitBody(carrier, [events.ship(T0, [box])], T0));
    expect(shipped?.txs[0]?.chain).toBe('trace');

    const traceBlock = fx.machine.chains.block('trace', 1)!;
    expect(traceBlock.header.anchors['trace-south']).toMatchObject({ height: 1 });
    const query = new TraceQuery(fx.machine.db, fx.machine.state, new ProofBuilder(fx.machine.chains));
    const trace = query.trace(box, 'backward', 10)!;
    expect(trace.chains).toEqual(['trace', 'trace-south']);
    expect(verifyTrace(trace, fx.orderer.replicaPublicKeys).ok).toBe(true);
  });

  it('refuses a configuration without a default chain of each kind', () => {
    expect(() =>
      ledgerFixture({
        chains: [
          { name: 'registry', kind: 'registry' },
          { name: 'trace', kind: 'trace' },
          { name: 'telemetry-north', kind: 'telemetry', participants: ['urn:suyuan:party:north'] },
        ],
      }),
    ).toThrow(/telemetry/);
  });
});

describe('block time', () => {
  const ok = (created: number) => ({
    ok: true as const,
    bodyHash: new Uint8Array(),
    header: { v: 1 as const, submitter: '', seq: 1, created, payloadCount: 0, payloadsRoot: '' },
    leaves: [],
    payloadsText: '',
    submissionBytes: 0,
    bodyBytes: new Uint8Array(),
    request: { publicKey: '', submission: { submitter: '', seq: 1, created, payloads: [], signature: '' } },
  });
  it('is the median created time, never before the previous block time', () => {
    expect(batchTime([ok(10), ok(1000), ok(20)], 0)).toBe(20);
    expect(batchTime([ok(10), ok(1_000_000_000)], 0)).toBe(10);
    expect(batchTime([ok(10)], 50)).toBe(50);
    expect(batchTime([{ ok: false, code: 'x', message: 'x' }], 7)).toBe(7);
  });
});
