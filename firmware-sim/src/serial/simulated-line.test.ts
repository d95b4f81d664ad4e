import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { uhfTagNotification } from './device-frames.ts';
import { concat } from './serial-test-support.ts';
import { flipByteAt, SimulatedLine } from './simulated-line.ts';

const frames = Array.from({ length: 50 }, (_, i) =>
  uhfTagNotification(`30742${String(i).padStart(19, '0')}`, -50),
);

describe('SimulatedLine', () => {
  it('without noise delivers exactly the frames, in chunks of at most chunkBytesMax', () => {
    const line = new SimulatedLine(new SeededRng(1), { chunkBytesMax: 9 });
    const chunks = line.transmit(frames, flipByteAt(-2));
    expect(concat(chunks)).toEqual(concat(frames));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(9);
    expect(new Set(chunks.map((c) => c.length)).size).toBeGreaterThan(5);
  });

  it('adds garbage and corrupts frames reproducibly, and accounts for every byte', () => {
    const run = () => {
      const line = new SimulatedLine(new SeededRng(7), {
        chunkBytesMax: 16,
        noise: { garbageChance: 0.3, garbageBytesMax: 6, corruptChance: 0.2 },
      });
      return { bytes: concat(line.transmit(frames, flipByteAt(-2))), stats: line.stats };
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.stats.garbageBytes).toBeGreaterThan(0);
    expect(a.stats.corruptedFrames).toBeGreaterThan(0);
    expect(a.bytes.length).toBe(concat(frames).length + a.stats.garbageBytes);
  });
});
