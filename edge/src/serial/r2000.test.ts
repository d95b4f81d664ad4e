import { concatBytes, fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import {
  createR2000Decoder,
  encodeR2000Error,
  encodeR2000Frame,
  encodeR2000RealTimeInventory,
  encodeR2000Reset,
  encodeR2000RoundEnd,
  encodeR2000TagReply,
  r2000Protocol,
} from './r2000.ts';
import {
  everyTwoWaySplit,
  loadSerialVectors,
  pushAll,
  randomChunks,
  vectorsOf,
  withFlippedBits,
} from './serial-test-support.ts';

const vectors = vectorsOf(loadSerialVectors(), 'impinj_r2000');
const vector = (name: string) => vectors.find((v) => v.name.startsWith(name))!;
const bytesOf = (name: string) => fromHex(vector(name).hex);

describe('R2000 decoder on the vectors', () => {
  it('decodes a tag reply', () => {
    const v = vector('inventory tag reply');
    expect(createR2000Decoder().push(fromHex(v.hex))).toEqual([
      {
        kind: 'tag',
        address: 1,
        antenna: v['antenna'],
        frequencyIndex: 0,
        pc: Number.parseInt(String(v['pc']), 16),
        epcHex: v['epc'],
        rssi: v['rssi_raw'],
        rssiDbm: -55,
      },
    ]);
  });

  it('decodes the end of an inventory round and an error reply', () => {
    const end = vector('end of inventory round');
    const decoder = createR2000Decoder();
    expect(decoder.push(fromHex(end.hex))).toEqual([
      {
        kind: 'roundEnd',
        address: 1,
        antenna: end['antenna'],
        readRate: end['read_rate'],
        totalReads: end['total_reads'],
      },
    ]);
    expect(decoder.push(bytesOf('error reply'))).toEqual([
      { kind: 'error', address: 1, command: 0x90, code: 0x38 },
    ]);
    expect(decoder.push(bytesOf('reset'))).toEqual([
      { kind: 'reply', address: 1, command: 0x70, dataHex: '' },
    ]);
  });

  it('gives the same frames for every split of every vector', () => {
    const rng = new SeededRng(21);
    for (const v of vectors) {
      const bytes = fromHex(v.hex);
      const whole = createR2000Decoder().push(bytes);
      expect(whole).toHaveLength(1);
      for (const chunks of everyTwoWaySplit(bytes))
        expect(pushAll(createR2000Decoder(), chunks)).toEqual(whole);
      for (let i = 0; i < 50; i++)
        expect(pushAll(createR2000Decoder(), randomChunks(bytes, rng, 4))).toEqual(whole);
    }
  });

  it('encodes the vectors byte for byte', () => {
    expect(encodeR2000RealTimeInventory(1, 1)).toEqual(bytesOf('real-time inventory'));
    expect(encodeR2000Reset(1)).toEqual(bytesOf('reset'));
    expect(
      encodeR2000TagReply({ address: 1, antenna: 0, epcHex: '3074257BF7194E4000001A85', rssi: 74 }),
    ).toEqual(bytesOf('inventory tag reply'));
    expect(encodeR2000RoundEnd(1, 0, 30, 5)).toEqual(bytesOf('end of inventory round'));
    expect(encodeR2000Error(1, 0x90, 0x38)).toEqual(bytesOf('error reply'));
  });
});

describe('R2000 decoder on bad lines', () => {
  const tag = bytesOf('inventory tag reply');

  it('skips garbage and a bad check, and counts them', () => {
    const broken = withFlippedBits(tag, -1, 0x80);
    const garbage = fromHex('A00100FFA0');
    const stream = concatBytes(garbage, broken, tag, garbage, bytesOf('end of inventory round'));
    for (const seed of [1, 2, 3, 4]) {
      const decoder = createR2000Decoder();
      const frames = pushAll(decoder, randomChunks(stream, new SeededRng(seed), 6)).concat(decoder.flush());
      expect(frames.map((f) => f.kind)).toEqual(['tag', 'roundEnd']);
      expect(decoder.stats.bytesSkipped).toBe(2 * garbage.length + broken.length);
      expect(decoder.stats.checksumErrors).toBeGreaterThanOrEqual(1);
    }
  });

  it('does not mistake an 0xA0 inside the EPC for a frame start', () => {
    const epcHex = 'A013A0A0A0000000A00000A0';
    const frame = encodeR2000TagReply({ address: 1, antenna: 3, epcHex, rssi: 60 });
    for (const chunks of everyTwoWaySplit(frame)) {
      const decoder = createR2000Decoder();
      expect(pushAll(decoder, chunks)).toMatchObject([{ kind: 'tag', epcHex, antenna: 3 }]);
      expect(decoder.stats.bytesSkipped).toBe(0);
    }
  });

  it('finds a real frame hidden behind a false start byte once the line goes idle', () => {
    // A0 FF 01 89 announces 255 more bytes: without an idle flush the tag would wait behind it.
    const decoder = createR2000Decoder();
    expect(decoder.push(concatBytes(fromHex('A0FF0189'), tag))).toEqual([]);
    expect(decoder.flush()).toMatchObject([{ kind: 'tag' }]);
    expect(decoder.stats.bytesSkipped).toBe(4);
  });

  it('keeps the buffer within bufferBytesMax on a hostile stream', () => {
    const decoder = createR2000Decoder({ bufferBytesMax: r2000Protocol.frameBytesMax });
    const rng = new SeededRng(8);
    for (let i = 0; i < 2000; i++) {
      const noise = Uint8Array.from({ length: 1 + rng.int(64) }, () =>
        rng.pick([0xa0, 0xff, 0x01, rng.int(256)]),
      );
      decoder.push(noise);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(r2000Protocol.frameBytesMax);
    }
    decoder.flush();
    expect(decoder.push(tag)).toMatchObject([{ kind: 'tag' }]);
  });

  it('rejects an inventory reply whose PC contradicts its length: noise, not a reader', () => {
    const decoder = createR2000Decoder();
    const data = fromHex('0030003074257B4A'); // PC announces a 12-byte EPC, the reply carries 4
    expect(decoder.push(concatBytes(encodeR2000Frame(1, 0x89, data), tag))).toMatchObject([{ kind: 'tag' }]);
    expect(decoder.stats.framingErrors).toBe(1);
  });

  it('rejects an unknown command or a foreign address at once, without waiting for the length', () => {
    const decoder = createR2000Decoder(undefined, { address: 1 });
    decoder.push(fromHex('A0FF0103')); // command 0x03 does not exist
    decoder.push(fromHex('A0FF0289')); // address 2 is not our reader
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.stats.framingErrors).toBe(2);
    expect(decoder.push(tag)).toMatchObject([{ kind: 'tag', address: 1 }]);
    expect(createR2000Decoder(undefined, { address: 2 }).push(tag)).toEqual([]);
  });
});
