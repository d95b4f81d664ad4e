import { describe, expect, it } from 'vitest';
import { countReadings, parseTelemetryBlock } from './e2e-blocks.ts';

/** The drain wait counts readings in a block's text; the parse must agree with that count. */
function blockJson(readingsPerTx: number[], otherTxs: number): string {
  const txs: unknown[] = readingsPerTx.map((n, t) => ({
    kind: 'readingBatch',
    signed: { submitter: 'gw', seq: t },
    payloads: Array.from({ length: n }, (_, i) => ({
      reading: {
        deviceId: `dev-"${t}"`,
        seq: i,
        time: 1_700_000_000_000 + i,
        type: 'pH',
        value: 6.5,
        uom: 'C62',
      },
      signature: 'x',
    })),
  }));
  for (let i = 0; i < otherTxs; i++) txs.push({ kind: 'event', payloads: [{ event: { reading: 'no' } }] });
  return JSON.stringify({ header: { height: 7 }, txs });
}

describe('telemetry block texts', () => {
  it('counts the readings a block holds without parsing it, as the parse finds them', () => {
    for (const [shape, others] of [
      [[], 0],
      [[1], 0],
      [[200, 3, 4096], 2],
      [[0, 5], 1],
    ] as [number[], number][]) {
      const bytes = Buffer.from(blockJson(shape, others));
      const block = parseTelemetryBlock({ height: 7, bytes });
      const total = shape.reduce((a, b) => a + b, 0);
      expect(countReadings(bytes)).toBe(total);
      expect(block.readings).toHaveLength(total);
    }
  });

  it('keeps device, seq and sample time of each reading', () => {
    const block = parseTelemetryBlock({ height: 3, bytes: Buffer.from(blockJson([2], 1)) });
    expect(block).toEqual({
      height: 3,
      readings: [
        { deviceId: 'dev-"0"', seq: 0, time: 1_700_000_000_000 },
        { deviceId: 'dev-"0"', seq: 1, time: 1_700_000_000_001 },
      ],
    });
  });
});
