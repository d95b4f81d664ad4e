import { LimitError, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import type { ConsensusMessage } from '../consensus/types.ts';
import { reconnectDelayMs } from './backoff.ts';
import { encodeFrame, FrameDecoder, frameInPlace } from './framing.ts';
import { SendQueue } from './send-queue.ts';

describe('frames', () => {
  it('reassembles frames from arbitrary chunks', () => {
    const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(1000, 7), Buffer.from('last')];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p, 4096)));
    const rng = new SeededRng(1);
    for (let trial = 0; trial < 50; trial++) {
      const decoder = new FrameDecoder(4096);
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + rng.int(40);
        out.push(...decoder.push(stream.subarray(at, at + size)));
        at += size;
      }
      expect(out.map((b) => b.toString('hex'))).toEqual(payloads.map((b) => b.toString('hex')));
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('returns a frame inside one chunk as a view of it, and a spanning frame in a buffer of its own', () => {
    const decoder = new FrameDecoder(1 << 20);
    const two = Buffer.concat([encodeFrame(Buffer.from('ab'), 100), encodeFrame(Buffer.from('cde'), 100)]);
    const whole = decoder.push(two);
    expect(whole.map((f) => f.toString())).toEqual(['ab', 'cde']);
    expect(whole.every((f) => f.buffer === two.buffer)).toBe(true); // no copy
    const spanning = (fill: number) => {
      const frame = encodeFrame(Buffer.alloc(100_000, fill), 1 << 20);
      const next = encodeFrame(Buffer.from('next'), 100);
      expect(decoder.push(frame.subarray(0, 3))).toEqual([]); // header split too
      expect(decoder.push(frame.subarray(3, 50_000))).toEqual([]);
      const tail = Buffer.concat([frame.subarray(50_000), next.subarray(0, 5)]);
      const [got, ...more] = decoder.push(tail);
      expect(more).toEqual([]);
      expect(got?.equals(Buffer.alloc(100_000, fill))).toBe(true);
      expect(decoder.push(next.subarray(5)).map((f) => f.toString())).toEqual(['next']);
      return got!;
    };
    const first = spanning(1);
    const second = spanning(2);
    expect(second.buffer).not.toBe(first.buffer); // never reused: decoded messages keep views
    expect(first[0]).toBe(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('a later frame never changes a message decoded earlier', () => {
    // The consensus decoder keeps views of a Buffer frame (request bodies are not copied), so the
    // decoder must never write into a frame it has handed out.
    const rng = new SeededRng(3);
    const prePrepare = (seed: number): ConsensusMessage => ({
      type: 'prePrepare',
      view: seed,
      seq: seed + 1,
      batchDigest: new Uint8Array(32).fill(seed),
      requests: Array.from({ length: 3 }, (_, i) => ({
        submitter: `gateway-${seed}-${i}-é`,
        seq: seed * 10 + i,
        body: new Uint8Array(40_000 + rng.int(20_000)).fill(seed + i),
      })),
      signature: new Uint8Array(64).fill(seed + 7),
    });
    const decoder = new FrameDecoder(1 << 20);
    const kept: { message: ConsensusMessage; bytes: Buffer }[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const bytes = Buffer.from(encodeMessage(prePrepare(seed)));
      const frame = encodeFrame(bytes, 1 << 20);
      for (let at = 0; at < frame.length; at += 30_000) {
        for (const payload of decoder.push(frame.subarray(at, at + 30_000))) {
          kept.push({ message: decodeMessage(payload), bytes });
        }
      }
    }
    expect(kept).toHaveLength(6);
    for (const { message, bytes } of kept)
      expect(Buffer.from(encodeMessage(message)).equals(bytes)).toBe(true);
  });

  it('frames a payload in place the same as encodeFrame', () => {
    for (const payload of [Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(70_000, 3)]) {
      const spare = new Uint8Array(8 + payload.length);
      spare.set(payload, 8);
      const frame = frameInPlace(spare.subarray(4), 100_000);
      expect(frame.equals(encodeFrame(payload, 100_000))).toBe(true);
      expect(frame.buffer).toBe(spare.buffer); // not copied
      expect(new FrameDecoder(100_000).push(frame).map((b) => b.length)).toEqual([payload.length]);
    }
    expect(() => frameInPlace(new Uint8Array(4 + 101), 100)).toThrow(LimitError);
  });

  it('refuses a length prefix over frameBytesMax before buffering it', () => {
    const decoder = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    expect(() => decoder.push(header)).toThrow(LimitError);
    expect(() => encodeFrame(Buffer.alloc(101), 100)).toThrow(LimitError);
  });
});

describe('send queue', () => {
  it('drops the oldest frame when full and counts it', () => {
    const queue = new SendQueue({ sendQueueFramesMax: 3, sendQueueBytesMax: 1_000_000 });
    for (let i = 0; i < 5; i++) queue.push(Buffer.from([i]));
    expect(queue.dropped).toBe(2);
    expect([queue.shift()?.[0], queue.shift()?.[0], queue.shift()?.[0], queue.shift()]).toEqual([
      2,
      3,
      4,
      undefined,
    ]);
  });

  it('counts a frame in pieces by its bytes', () => {
    const queue = new SendQueue({ sendQueueFramesMax: 100, sendQueueBytesMax: 10 });
    const pieces = [Buffer.alloc(2), new Uint8Array(3), Buffer.alloc(1)];
    queue.push(pieces);
    queue.push(Buffer.alloc(4));
    expect(queue.queuedBytes).toBe(10);
    queue.push([Buffer.alloc(1)]); // over 10 bytes: the oldest (the 6-byte pieces) goes
    expect([queue.dropped, queue.queuedBytes, queue.length]).toEqual([1, 5, 2]);
    expect(queue.shift()).toHaveLength(4);
  });

  it('bounds bytes too', () => {
    const queue = new SendQueue({ sendQueueFramesMax: 100, sendQueueBytesMax: 10 });
    queue.push(Buffer.alloc(6));
    queue.push(Buffer.alloc(6));
    expect(queue.length).toBe(1);
    expect(queue.dropped).toBe(1);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap, with jitter in the upper half', () => {
    const limits = { reconnectDelayMsMin: 100, reconnectDelayMsMax: 1000 };
    const rng = new SeededRng(7);
    for (let failures = 1; failures < 10; failures++) {
      const ceiling = Math.min(1000, 100 * 2 ** (failures - 1));
      const delay = reconnectDelayMs(failures, limits, rng);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
