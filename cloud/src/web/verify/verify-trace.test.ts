import { submissionSigningBytes as envelopeSigningBytes } from '@suyuan/shared/envelope';
import { verifyTxProof } from '@suyuan/shared/trace/index';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLedger, type DemoLedger } from '../fixture/demo-ledger.ts';
import { lotKey, sgtinKey } from '../identity.ts';
import type { LedgerEvent } from '../read-model.ts';
import { submissionSigningBytes } from './signing-bytes.ts';
import { type ProofsDocument, verifyProofs } from './verify-trace.ts';

let demo: DemoLedger;
let doc: ProofsDocument;
let keys: Uint8Array[];

beforeAll(async () => {
  demo = buildDemoLedger({ itemCount: 120, seed: 7 });
  const { gtin, serial, lot } = demo.demoItem;
  const chains = [];
  for (const key of [sgtinKey(gtin, serial), lotKey(gtin, lot)])
    chains.push({ key, events: await demo.readModel.eventsFor(key) });
  doc = { v: 1, chains };
  keys = demo.replicas.map((r) => r.publicKey);
});

const copy = (): ProofsDocument => structuredClone(doc);
const first = (d: ProofsDocument, chain = 0, event = 0): LedgerEvent => d.chains[chain]!.events[event]!;

describe('verifyProofs', () => {
  it('accepts the untouched history of an item and its lot', () => {
    const result = verifyProofs(doc, keys);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.eventsChecked).toBe(doc.chains[0]!.events.length + doc.chains[1]!.events.length);
    expect(doc.chains[0]!.events.length).toBe(5);
  });

  it('agrees with the shared offline verifier on every event', () => {
    for (const chain of doc.chains)
      for (const e of chain.events) expect(verifyTxProof(e.tx, e.proof, keys)).toBeNull();
  });

  it('names a changed event payload as a signature failure', () => {
    const d = copy();
    (first(d, 0, 2).tx.payload as { event: Record<string, unknown> }).event.bizStep = 'receiving';
    const result = verifyProofs(d, keys);
    expect(result.ok).toBe(false);
    expect(result.failures[0]).toMatchObject({ eventIndex: 2, check: 'payloadInclusion' });
    expect(verifyTxProof(first(d, 0, 2).tx, first(d, 0, 2).proof, keys)).not.toBeNull();
  });

  it('names a changed Merkle path as the transaction not being in its block', () => {
    const d = copy();
    const e = first(d, 1, 1);
    e.proof.location = { ...e.proof.location, index: e.proof.location.index + 1 };
    expect(verifyProofs(d, keys).failures[0]).toMatchObject({ eventIndex: 1, check: 'txInclusion' });
  });

  it('names a changed block header as not certified', () => {
    const d = copy();
    first(d).proof.block.header.time += 1;
    expect(verifyProofs(d, keys).failures[0]).toMatchObject({ eventIndex: 0, check: 'headerInclusion' });
  });

  it('rejects a certificate signed by the wrong replicas', () => {
    const other = buildDemoLedger({ itemCount: 10, seed: 99 }).replicas.map((r) => r.publicKey);
    const result = verifyProofs(doc, other);
    expect(result.ok).toBe(false);
    expect(new Set(result.failures.map((f) => f.check))).toEqual(new Set(['certificate']));
  });

  it('catches a removed event by the broken link of the next one', () => {
    const d = copy();
    d.chains[0]!.events.splice(1, 1);
    expect(verifyProofs(d, keys).failures).toEqual([
      expect.objectContaining({ key: d.chains[0]!.key, eventIndex: 1, check: 'chainLink' }),
    ]);
  });

  it('turns malformed input into a format failure instead of throwing', () => {
    expect(verifyProofs({ v: 1, chains: [] }, keys).failures[0]?.check).toBe('format');
    const d = copy();
    first(d).proof.txPath = ['not base64!'];
    expect(verifyProofs(d, keys).failures[0]?.check).toBe('format');
  });
});

describe('submissionSigningBytes', () => {
  it('is byte for byte the envelope definition', () => {
    const header = {
      v: 1 as const,
      submitter: 'a'.repeat(43),
      seq: 7,
      created: 1,
      payloadCount: 2,
      payloadsRoot: 'b'.repeat(43),
    };
    expect(submissionSigningBytes(header)).toEqual(envelopeSigningBytes(header));
  });
});
