import { canonicalize } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { blockJson } from './block-json.ts';

const header = { chain: 'telemetry', height: 7, txCount: 2, prev: 'abc', txRoot: 'def' };
const txs = [
  {
    gaps: [],
    kind: 'readingBatch',
    payloads: [{ deviceId: 'd-1', seq: 1, value: 2.5, note: 'ünï "q"' }],
    v: 1,
  },
  { kind: 'rejection', reason: { code: 'x', message: 'y' }, seq: 3, submitter: 'k', v: 1 },
];
const texts = txs.map((tx) => Buffer.from(canonicalize(tx), 'utf8'));

describe('blockJson', () => {
  it('is the JSON that stringifying the parsed block gives, byte for byte', () => {
    const proof = { batchSeq: 4, headerPath: ['a', 'b'] } as unknown as Parameters<typeof blockJson>[2];
    const parsed = texts.map((t) => JSON.parse(t.toString('utf8')) as unknown);
    expect(blockJson(header, texts, proof).toString('utf8')).toBe(
      JSON.stringify({ header, txs: parsed, proof }),
    );
  });

  it('keeps a null proof and an empty tx list as JSON.stringify does', () => {
    expect(blockJson(header, [], null).toString('utf8')).toBe(
      JSON.stringify({ header, txs: [], proof: null }),
    );
    expect(JSON.parse(blockJson(header, texts.slice(0, 1), null).toString('utf8'))).toEqual({
      header,
      txs: [txs[0]],
      proof: null,
    });
  });
});
