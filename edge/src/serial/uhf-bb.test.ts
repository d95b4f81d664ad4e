import { concatBytes, fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import {
  everyTwoWaySplit,
  loadSerialVectors,
  pushAll,
  randomChunks,
  vectorsOf,
  withFlippedBits,
} from './serial-test-support.ts';
import {
  createUhfDecoder,
  encodeUhfError,
  encodeUhfFrame,
  encodeUhfMultiPoll,
  encodeUhfSinglePoll,
  encodeUhfStopMultiPoll,
  encodeUhfTagNotification,
  uhfProtocol,
} from './uhf-bb.ts';

const vectors = vectorsOf(loadSerialVectors(), 'uhf_bb_module');
const byName = (name: string) => fromHex(vectors.find((v) => v.name.startsWith(name))!.hex);

describe('UHF 0xBB decoder on the vectors', () => {
  it('decodes the tag notification', () => {
    const v = vectors.find((x) => x.name.startsWith('tag notification'))!;
    const frames = createUhfDecoder().push(fromHex(v.hex));
    expect(frames).toEqual([
      {
        kind: 'tag',
        rssiDbm: v['rssi_dbm'],
        pc: Number.parseInt(String(v['pc']), 16),
        epcHex: v['epc'],
        tagCrcOk: true,
      },
    ]);
  });

  it('decodes commands and the error response', () => {
    const decoder = createUhfDecoder();
    expect(decoder.push(byName('single poll'))).toEqual([{ kind: 'command', command: 0x22, payloadHex: '' }]);
    expect(decoder.push(byName('multi poll'))).toEqual([
      { kind: 'command', command: 0x27, payloadHex: '222710' },
    ]);
    expect(decoder.push(byName('stop multi poll'))).toEqual([
      { kind: 'command', command: 0x28, payloadHex: '' },
    ]);
    expect(decoder.push(byName('error response'))).toEqual([{ kind: 'error', code: 0x09 }]);
    expect(decoder.stats).toMatchObject({ framesOk: 4, bytesSkipped: 0, checksumErrors: 0 });
  });

  it('gives the same frames for every split of every vector', () => {
    const rng = new SeededRng(11);
    for (const v of vectors) {
      const bytes = fromHex(v.hex);
      const whole = createUhfDecoder().push(bytes);
      expect(whole).toHaveLength(1);
      for (const chunks of everyTwoWaySplit(bytes))
        expect(pushAll(createUhfDecoder(), chunks)).toEqual(whole);
      for (let i = 0; i < 50; i++) {
        expect(pushAll(createUhfDecoder(), randomChunks(bytes, rng, 4))).toEqual(whole);
      }
    }
  });

  it('encodes the command vectors byte for byte', () => {
    expect(encodeUhfSinglePoll()).toEqual(byName('single poll'));
    expect(encodeUhfMultiPoll(10_000)).toEqual(byName('multi poll'));
    expect(encodeUhfStopMultiPoll()).toEqual(byName('stop multi poll'));
    expect(encodeUhfError(0x09)).toEqual(byName('error response'));
    expect(encodeUhfTagNotification({ epcHex: '3074257BF7194E4000001A85', rssiDbm: -55 })).toEqual(
      byName('tag notification'),
    );
  });
});

describe('UHF 0xBB decoder on bad lines', () => {
  const tagFrame = byName('tag notification');

  it('skips and counts garbage between frames, whatever the chunking', () => {
    const garbage = fromHex('00FF7E12BB01');
    const stream = concatBytes(garbage, tagFrame, garbage, byName('error response'), garbage);
    for (const seed of [1, 2, 3]) {
      const decoder = createUhfDecoder();
      const frames = pushAll(decoder, randomChunks(stream, new SeededRng(seed), 5));
      frames.push(...decoder.flush());
      expect(frames.map((f) => f.kind)).toEqual(['tag', 'error']);
      expect(decoder.stats.bytesSkipped).toBe(3 * garbage.length);
      expect(decoder.stats.framesOk).toBe(2);
    }
  });

  it('counts a bad checksum and recovers on the next frame', () => {
    const broken = withFlippedBits(tagFrame, -2, 0x01);
    const decoder = createUhfDecoder();
    const frames = decoder.push(concatBytes(broken, tagFrame));
    expect(frames).toHaveLength(1);
    expect(decoder.stats.checksumErrors).toBe(1);
    expect(decoder.stats.bytesSkipped).toBe(broken.length);
  });

  it('does not cut a frame at a 0x7E or 0xBB inside the EPC', () => {
    const epcHex = '7EBB7E00BB7E7E7EBBBB007E';
    const frame = encodeUhfTagNotification({ epcHex, rssiDbm: -70 });
    for (const chunks of everyTwoWaySplit(frame)) {
      const decoder = createUhfDecoder();
      expect(pushAll(decoder, chunks)).toMatchObject([{ kind: 'tag', epcHex, rssiDbm: -70, tagCrcOk: true }]);
      expect(decoder.stats.bytesSkipped).toBe(0);
    }
  });

  it('reports a wrong tag CRC without dropping the read', () => {
    const payload = fromHex('C930003074257BF7194E4000001A85AAF8'); // tag CRC AAF9 with its last bit flipped
    const frames = createUhfDecoder().push(encodeUhfFrame(0x02, 0x22, payload));
    expect(frames).toMatchObject([{ kind: 'tag', epcHex: '3074257BF7194E4000001A85', tagCrcOk: false }]);
  });

  it('emits a notification whose PC contradicts its length raw, counted as a payload error', () => {
    const payload = fromHex('C94000AABB'); // PC says 8 words of EPC, the payload carries none
    const decoder = createUhfDecoder();
    expect(decoder.push(encodeUhfFrame(0x02, 0x22, payload))).toEqual([
      { kind: 'notification', command: 0x22, payloadHex: 'C94000AABB' },
    ]);
    expect(decoder.stats.payloadErrors).toBe(1);
  });

  it('rejects a declared length beyond the limit without waiting for it', () => {
    const decoder = createUhfDecoder({ bufferBytesMax: uhfProtocol.frameBytesMax });
    const frames = decoder.push(concatBytes(fromHex('BB0222FFFF'), tagFrame));
    expect(frames).toHaveLength(1);
    expect(decoder.stats.oversizeFrames).toBe(1);
    expect(decoder.stats.bytesSkipped).toBe(5);
  });

  it('keeps the buffer within bufferBytesMax on a long hostile stream and never throws', () => {
    const bufferBytesMax = uhfProtocol.frameBytesMax;
    const decoder = createUhfDecoder({ bufferBytesMax });
    const rng = new SeededRng(5);
    let tags = 0;
    for (let i = 0; i < 2000; i++) {
      // Start bytes and small plausible lengths make many false candidates.
      const noise = Uint8Array.from({ length: 1 + rng.int(40) }, () =>
        rng.pick([0xbb, 0x02, 0x00, 0x7e, rng.int(256)]),
      );
      tags += decoder.push(noise).filter((f) => f.kind === 'tag').length;
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(bufferBytesMax);
    }
    decoder.flush();
    const after = decoder.push(tagFrame);
    expect(after.concat(decoder.flush())).toMatchObject([
      { kind: 'tag', epcHex: '3074257BF7194E4000001A85' },
    ]);
    expect(tags).toBe(0);
    expect(decoder.stats.bytesSkipped).toBeGreaterThan(0);
  });

  it('takes one huge chunk in buffer-sized slices', () => {
    const frames = Array.from({ length: 500 }, () => tagFrame);
    const decoder = createUhfDecoder({ bufferBytesMax: 300 });
    expect(decoder.push(concatBytes(...frames))).toHaveLength(500);
    expect(decoder.bufferedBytes).toBe(0);
  });
});
