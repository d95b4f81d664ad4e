import {
  canonicalBytes,
  canonicalize,
  type LedgerTx,
  merkleLeafHash,
  type Payload,
  toBase64Url,
  utf8,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { readingBatchTxText } from './reading-batch-tx.ts';
import { T0 } from './testing.ts';

type ReadingBatchTx = Extract<LedgerTx, { kind: 'readingBatch' }>;

const payloads = Array.from({ length: 5 }, (_, k) => ({
  kind: 'reading',
  reading: {
    deviceId: `probe-${k}`,
    seq: k + 1,
    time: T0 + k,
    type: 'Temperature',
    value: 20.5 - k,
    uom: 'CEL',
  },
})) as Extract<Payload, { kind: 'reading' }>[];

const tx: ReadingBatchTx = {
  v: 1,
  kind: 'readingBatch',
  signed: {
    submitter: 'A'.repeat(43),
    seq: 7,
    created: T0,
    payloadCount: payloads.length,
    payloadsRoot: 'B'.repeat(43),
    signature: 'C'.repeat(86),
    publicKey: 'D'.repeat(43),
  },
  payloads,
  gaps: [{ deviceId: 'probe-0', afterSeq: 0, beforeSeq: 1 }],
} as unknown as ReadingBatchTx;

describe('a reading batch transaction spliced around its payloads', () => {
  const payloadsText = payloads.map((p) => canonicalize(p)).join(',');

  it('is the canonical bytes and their leaf when the payload bytes are given', () => {
    const spliced = readingBatchTxText(tx, payloadsText, utf8(payloadsText));
    if (!('bytes' in spliced)) throw new Error('no bytes');
    expect(spliced.bytes.toString('utf8')).toBe(canonicalize(tx));
    expect(new Uint8Array(spliced.bytes)).toEqual(canonicalBytes(tx));
    expect(toBase64Url(spliced.leafHash)).toBe(toBase64Url(merkleLeafHash(canonicalBytes(tx))));
  });

  it('is the canonical text without the payload bytes', () => {
    const spliced = readingBatchTxText(tx, payloadsText, undefined);
    expect(spliced).toEqual({ text: canonicalize(tx) });
  });
});
