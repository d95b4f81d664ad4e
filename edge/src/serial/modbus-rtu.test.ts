import { concatBytes, fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import {
  encodeModbusException,
  encodeReadHoldingRegisters,
  encodeReadHoldingRegistersResponse,
  ModbusResponseDecoder,
} from './modbus-rtu.ts';
import {
  everyTwoWaySplit,
  loadSerialVectors,
  pushAll,
  randomChunks,
  vectorsOf,
  withFlippedBits,
} from './serial-test-support.ts';

const vectors = vectorsOf(loadSerialVectors(), 'modbus_rtu_soil_probe');
const bytesOf = (name: string) => fromHex(vectors.find((v) => v.name.startsWith(name))!.hex);
const response = bytesOf('response to read 7');
const registers = [0x028c, 0xff9b, 0x04b0, 0x0044, 0x0028, 0x000c, 0x0055];

function decoderFor(registerCount: number, slave = 1): ModbusResponseDecoder {
  const decoder = new ModbusResponseDecoder();
  decoder.expect({ slave, registerCount });
  return decoder;
}

describe('Modbus RTU on the vectors', () => {
  it('encodes the read requests byte for byte', () => {
    expect(encodeReadHoldingRegisters(1, 0, 1)).toEqual(bytesOf('read 1 register'));
    expect(encodeReadHoldingRegisters(1, 0, 7)).toEqual(bytesOf('read 7 registers'));
    expect(encodeReadHoldingRegistersResponse(1, registers)).toEqual(response);
  });

  it('decodes the response, split at every boundary and at random', () => {
    const expected = [{ kind: 'registers', slave: 1, registers }];
    expect(decoderFor(7).push(response)).toEqual(expected);
    for (const chunks of everyTwoWaySplit(response)) expect(pushAll(decoderFor(7), chunks)).toEqual(expected);
    const rng = new SeededRng(41);
    for (let i = 0; i < 100; i++)
      expect(pushAll(decoderFor(7), randomChunks(response, rng, 3))).toEqual(expected);
  });

  it('decodes an exception response', () => {
    const exception = encodeModbusException(1, 0x03, 0x02);
    for (const chunks of everyTwoWaySplit(exception)) {
      expect(pushAll(decoderFor(7), chunks)).toEqual([{ kind: 'exception', slave: 1, function: 3, code: 2 }]);
    }
  });
});

describe('Modbus RTU resynchronisation', () => {
  it('finds the response behind garbage that looks like its header', () => {
    const garbage = fromHex('01030E0001'); // a plausible header whose CRC will not hold
    const stream = concatBytes(fromHex('FF00'), garbage, response);
    for (const seed of [1, 2, 3, 4, 5]) {
      const decoder = decoderFor(7);
      expect(pushAll(decoder, randomChunks(stream, new SeededRng(seed), 4))).toMatchObject([{ registers }]);
      expect(decoder.stats.bytesSkipped).toBe(2 + garbage.length);
      expect(decoder.stats.checksumErrors).toBe(1);
    }
  });

  it('ignores another slave and a corrupted response, and counts them', () => {
    const otherSlave = encodeReadHoldingRegistersResponse(2, registers);
    const corrupted = withFlippedBits(response, 5, 0x10);
    const decoder = decoderFor(7);
    expect(decoder.push(concatBytes(otherSlave, corrupted, response))).toMatchObject([{ registers }]);
    expect(decoder.stats.checksumErrors).toBeGreaterThanOrEqual(1);
    expect(decoder.stats.bytesSkipped).toBe(otherSlave.length + corrupted.length);
  });

  it('rejects a response of the wrong size for the request', () => {
    const decoder = decoderFor(3);
    expect(decoder.push(response)).toEqual([]);
    expect(decoder.stats.framingErrors).toBeGreaterThanOrEqual(1);
  });

  it('skips bytes when nothing is expected, and a new request drops stale bytes', () => {
    const decoder = new ModbusResponseDecoder();
    expect(decoder.push(response)).toEqual([]);
    expect(decoder.stats.bytesSkipped).toBe(response.length);
    decoder.expect({ slave: 1, registerCount: 7 });
    decoder.push(response.subarray(0, 10));
    decoder.expect({ slave: 1, registerCount: 7 });
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.push(response)).toHaveLength(1);
  });

  it('keeps the buffer within bufferBytesMax on a hostile stream of plausible headers', () => {
    const bufferBytesMax = 5 + 2 * 125;
    const decoder = new ModbusResponseDecoder({ bufferBytesMax });
    decoder.expect({ slave: 1, registerCount: 125 });
    const rng = new SeededRng(6);
    for (let i = 0; i < 2000; i++) {
      const noise = Uint8Array.from({ length: 1 + rng.int(64) }, () =>
        rng.pick([0x01, 0x03, 0xfa, rng.int(256)]),
      );
      expect(decoder.push(noise)).toEqual([]);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(bufferBytesMax);
    }
    decoder.flush();
    const big = encodeReadHoldingRegistersResponse(
      1,
      Array.from({ length: 125 }, (_, i) => i),
    );
    expect(decoder.push(big)).toMatchObject([{ kind: 'registers' }]);
  });

  it('refuses out-of-protocol requests', () => {
    expect(() => encodeReadHoldingRegisters(0, 0, 7)).toThrow(RangeError);
    expect(() => encodeReadHoldingRegisters(1, 0, 126)).toThrow(RangeError);
    expect(() => encodeReadHoldingRegisters(1, 0xfffe, 7)).toThrow(RangeError);
  });
});
