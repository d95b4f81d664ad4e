import { concatBytes, fromHex, SeededRng, utf8 } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { createEm4100Decoder, em4100Protocol, encodeEm4100Frame } from './em4100.ts';
import {
  everyTwoWaySplit,
  loadSerialVectors,
  pushAll,
  randomChunks,
  vectorsOf,
} from './serial-test-support.ts';

const vectors = vectorsOf(loadSerialVectors(), 'em4100_ascii');

describe('EM4100 decoder on the vectors', () => {
  it('decodes each vector, with the printed card number', () => {
    const [first, second] = vectors;
    expect(createEm4100Decoder().push(fromHex(first!.hex))).toEqual([
      { kind: 'tag', dataHex: first!['data'], cardNumber: first!['card_number'] },
    ]);
    expect(createEm4100Decoder().push(fromHex(second!.hex))).toEqual([
      { kind: 'tag', dataHex: second!['data'], cardNumber: '0004947006' },
    ]);
  });

  it('gives the same frames for every split, with and without CR LF', () => {
    const rng = new SeededRng(31);
    for (const v of vectors) {
      const data = String(v['data']);
      for (const bytes of [fromHex(v.hex), encodeEm4100Frame(data, { crlf: true })]) {
        const whole = createEm4100Decoder().push(bytes);
        expect(whole).toMatchObject([{ kind: 'tag', dataHex: data }]);
        for (const chunks of everyTwoWaySplit(bytes))
          expect(pushAll(createEm4100Decoder(), chunks)).toEqual(whole);
        for (let i = 0; i < 50; i++)
          expect(pushAll(createEm4100Decoder(), randomChunks(bytes, rng, 3))).toEqual(whole);
      }
    }
  });

  it('encodes the vectors byte for byte', () => {
    for (const v of vectors) expect(encodeEm4100Frame(String(v['data']))).toEqual(fromHex(v.hex));
  });

  it('accepts lower-case hex from sloppy readers', () => {
    const frame = concatBytes(new Uint8Array([2]), utf8('13005d1da5f6'), new Uint8Array([3]));
    expect(createEm4100Decoder().push(frame)).toMatchObject([{ dataHex: '13005D1DA5' }]);
  });
});

describe('EM4100 decoder on bad lines', () => {
  const frame = fromHex(vectors[0]!.hex);

  it('skips noise, a bad checksum and a truncated frame, and counts them', () => {
    const badChecksum = encodeEm4100Frame('1A004B7C3E').slice();
    badChecksum[12] = 0x30; // '3' → '0': still hex, wrong checksum
    const truncated = frame.subarray(0, 9);
    const noise = concatBytes(utf8('\r\nOK'), new Uint8Array([0x02, 0x47]));
    const stream = concatBytes(noise, badChecksum, truncated, frame, noise, frame);
    for (const seed of [1, 2, 3]) {
      const decoder = createEm4100Decoder();
      const frames = pushAll(decoder, randomChunks(stream, new SeededRng(seed), 5)).concat(decoder.flush());
      expect(frames).toHaveLength(2);
      expect(decoder.stats.checksumErrors).toBe(1);
      expect(decoder.stats.bytesSkipped).toBe(2 * noise.length + badChecksum.length + truncated.length);
    }
  });

  it('rejects a non-hex character at once instead of waiting for a whole frame', () => {
    const decoder = createEm4100Decoder();
    decoder.push(utf8('\u00021300Z'));
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.stats.framingErrors).toBe(1);
  });

  it('keeps the buffer within bufferBytesMax', () => {
    const decoder = createEm4100Decoder({ bufferBytesMax: em4100Protocol.frameBytesMax });
    const rng = new SeededRng(4);
    for (let i = 0; i < 1000; i++) {
      decoder.push(
        Uint8Array.from({ length: 1 + rng.int(30) }, () => rng.pick([0x02, 0x03, 0x30, 0x41, 0x0d])),
      );
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(em4100Protocol.frameBytesMax);
    }
    decoder.flush();
    expect(decoder.push(frame)).toHaveLength(1);
  });
});
