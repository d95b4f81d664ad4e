import {
  createEm4100Decoder,
  createR2000Decoder,
  createUhfDecoder,
  type FrameDecoder,
  ModbusResponseDecoder,
} from '@suyuan/edge/serial/index';
import {
  Em4100Reader,
  R2000Reader,
  type SerialDevice,
  SimulatedLine,
  SoilProbeDevice,
  UhfModule,
} from '@suyuan/firmware-sim/serial/index';
import { fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';

/**
 * The simulator's devices against the gateway's decoders, without ports: every byte the noisy line adds
 * or breaks must be accounted for by the decoder, and every intact frame must come through.
 */

const EPCS = [
  '3074257BF7194E4000001A85',
  '3034257BF40C0E4000003039',
  'E2801160600002054CC2B7BB',
  '7EBB7EBBA0A0020300000000',
];
const noise = { garbageChance: 0.25, garbageBytesMax: 8, corruptChance: 0.15 };

interface Case {
  readonly name: string;
  readonly device: () => SerialDevice;
  readonly decoder: () => FrameDecoder<unknown>;
  /** What makes the device talk: a host command per round, or just time passing. */
  readonly round: (device: SerialDevice, i: number) => Uint8Array[];
}

const cases: Case[] = [
  {
    name: 'UHF module',
    device: () => new UhfModule({ tags: EPCS, rng: new SeededRng(1) }),
    decoder: () => createUhfDecoder(),
    round: (device, i) => device.receive(fromHex('BB00220000227E'), i),
  },
  {
    name: 'R2000 reader',
    device: () => new R2000Reader({ tags: EPCS, rng: new SeededRng(2), antennas: 4 }),
    decoder: () => createR2000Decoder(undefined, { address: 1 }),
    round: (device, i) => device.receive(fromHex('A004FF8901D3'), i),
  },
  {
    name: 'EM4100 reader',
    device: () => new Em4100Reader({ card: '13005D1DA5', repeatIntervalMs: 1, crlf: true }),
    decoder: () => createEm4100Decoder(),
    round: (device, i) => device.tick(i),
  },
];

describe('simulated devices through a noisy line into the gateway decoders', () => {
  for (const c of cases) {
    it(`${c.name}: intact frames all decode, every other byte is counted as skipped`, () => {
      for (const seed of [11, 12, 13]) {
        const device = c.device();
        const line = new SimulatedLine(new SeededRng(seed), { chunkBytesMax: 23, noise });
        const decoder = c.decoder();
        let frames = 0;
        for (let i = 0; i < 300; i++) {
          for (const chunk of line.transmit(c.round(device, i), device.corrupt))
            frames += decoder.push(chunk).length;
        }
        frames += decoder.flush().length;
        const sent = line.stats;
        expect(sent.corruptedFrames).toBeGreaterThan(0);
        expect(frames).toBe(sent.frames - sent.corruptedFrames);
        expect(decoder.stats.bytesSkipped).toBe(sent.garbageBytes + sent.corruptedBytes);
        expect(decoder.stats.checksumErrors).toBeGreaterThanOrEqual(sent.corruptedFrames);
      }
    });
  }

  it('Modbus soil probe: each corrupted answer is skipped, each intact one decodes', () => {
    const probe = new SoilProbeDevice({ driftPerRead: true, rng: new SeededRng(4) });
    const line = new SimulatedLine(new SeededRng(5), {
      chunkBytesMax: 4,
      noise: { ...noise, garbageChance: 0 },
    });
    const decoder = new ModbusResponseDecoder();
    let answers = 0;
    for (let i = 0; i < 300; i++) {
      decoder.expect({ slave: 1, registerCount: 7 });
      const chunks = line.transmit(probe.receive(fromHex('0103000000070408')), probe.corrupt);
      for (const chunk of chunks) answers += decoder.push(chunk).length;
    }
    expect(line.stats.corruptedFrames).toBeGreaterThan(0);
    expect(answers).toBe(300 - line.stats.corruptedFrames);
    expect(decoder.stats.checksumErrors).toBe(line.stats.corruptedFrames);
  });
});
