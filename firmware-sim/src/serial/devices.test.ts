import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { xor8 } from './checksums.ts';
import {
  CommandScanner,
  modbusRequestFraming,
  r2000CommandFraming,
  uhfCommandFraming,
} from './command-scanner.ts';
import {
  em4100Frame,
  modbusException,
  r2000Frame,
  uhfFrame,
  uhfTagNotification,
  withModbusCrc,
} from './device-frames.ts';
import { Em4100Reader } from './em4100-reader.ts';
import { R2000Reader } from './r2000-reader.ts';
import { concat, vectorBytes } from './serial-test-support.ts';
import { SoilProbeDevice, soilRegisters, typicalLoam } from './soil-probe-device.ts';
import { UhfModule } from './uhf-module.ts';

const EPC_A = '3074257BF7194E4000001A85';
const EPC_B = '3034257BF40C0E4000003039';

describe('command scanners', () => {
  it('find each host command whatever the split, and skip noise', () => {
    const cases = [
      { framing: uhfCommandFraming, bytes: vectorBytes('uhf_bb_module', 'multi poll') },
      { framing: r2000CommandFraming, bytes: vectorBytes('impinj_r2000', 'real-time inventory') },
      { framing: modbusRequestFraming, bytes: vectorBytes('modbus_rtu_soil_probe', 'read 7 registers') },
    ];
    for (const { framing, bytes } of cases) {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const scanner = new CommandScanner(framing);
        const frames = [...scanner.push(concat([new Uint8Array([0xee, 0xbb]), bytes.subarray(0, cut)]))];
        frames.push(...scanner.push(bytes.subarray(cut)));
        expect(frames).toEqual([bytes]);
      }
    }
  });
});

describe('UhfModule', () => {
  it('answers a single poll with every tag, or "no tag"', () => {
    const module = new UhfModule({ tags: [EPC_A, EPC_B], rng: new SeededRng(1) });
    const frames = module.receive(vectorBytes('uhf_bb_module', 'single poll'), 0);
    expect(frames).toHaveLength(2);
    expect(frames[0]!.subarray(8, 20)).toEqual(uhfTagNotification(EPC_A, -50).subarray(8, 20));
    module.setTags([]);
    expect(module.receive(vectorBytes('uhf_bb_module', 'single poll'), 0)).toEqual([
      uhfFrame(1, 0xff, new Uint8Array([0x15])),
    ]);
  });

  it('runs multi-poll rounds on its clock and stops on command', () => {
    const module = new UhfModule({ tags: [EPC_A], rng: new SeededRng(2), roundIntervalMs: 50 });
    expect(module.receive(vectorBytes('uhf_bb_module', 'multi poll'), 0)).toHaveLength(1);
    expect(module.tick(20)).toEqual([]);
    expect(module.tick(50)).toHaveLength(1);
    expect(module.multiPollRoundsLeft).toBe(9998);
    expect(module.receive(vectorBytes('uhf_bb_module', 'stop multi poll'), 60)).toEqual([
      uhfFrame(1, 0x28, new Uint8Array([0])),
    ]);
    expect(module.tick(1000)).toEqual([]);
  });
});

describe('R2000Reader', () => {
  it('answers an inventory with tag replies and the round end, to its address or broadcast', () => {
    const reader = new R2000Reader({ tags: [EPC_A, EPC_B], rng: new SeededRng(3), address: 1 });
    const frames = reader.receive(vectorBytes('impinj_r2000', 'real-time inventory'));
    expect(frames.map((f) => f[1])).toEqual([0x13, 0x13, 0x0a]);
    expect(reader.receive(r2000Frame(0xff, 0x89, new Uint8Array([2])))).toHaveLength(6);
    expect(reader.receive(r2000Frame(7, 0x89, new Uint8Array([1])))).toEqual([]);
    expect(reader.receive(vectorBytes('impinj_r2000', 'reset'))).toEqual([]);
  });
});

describe('Em4100Reader', () => {
  it('repeats the card while it is in the field, and breaks only the checksum when corrupting', () => {
    const reader = new Em4100Reader({ card: '13005D1DA5', repeatIntervalMs: 100 });
    expect(reader.tick(0)).toEqual([vectorBytes('em4100_ascii', 'tag 13005D1DA5')]);
    expect(reader.tick(99)).toEqual([]);
    expect(reader.tick(100)).toHaveLength(1);
    const broken = reader.corrupt(em4100Frame('13005D1DA5', false), new SeededRng(1));
    const hex = new TextDecoder().decode(broken.subarray(1, 13));
    expect(hex).toMatch(/^[0-9A-F]{12}$/);
    const bytes = Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));
    expect(xor8(bytes.subarray(0, 5))).not.toBe(bytes[5]);
    reader.setCard(undefined);
    expect(reader.tick(1000)).toEqual([]);
  });
});

describe('SoilProbeDevice', () => {
  const vectorSoil = {
    moisturePct: 65.2,
    temperatureC: -10.1,
    ecUsPerCm: 1200,
    ph: 6.8,
    nitrogenMgKg: 40,
    phosphorusMgKg: 12,
    potassiumMgKg: 85,
  };

  it('answers the vector request with the vector response', () => {
    const probe = new SoilProbeDevice({ soil: vectorSoil });
    expect(probe.receive(vectorBytes('modbus_rtu_soil_probe', 'read 7 registers'))).toEqual([
      vectorBytes('modbus_rtu_soil_probe', 'response to read 7'),
    ]);
  });

  it('raises exceptions for bad addresses and functions, and ignores other slaves', () => {
    const probe = new SoilProbeDevice({ slave: 1 });
    expect(probe.receive(withModbusCrc(new Uint8Array([1, 3, 0, 5, 0, 3])))).toEqual([
      modbusException(1, 3, 2),
    ]);
    expect(probe.receive(withModbusCrc(new Uint8Array([1, 6, 0, 0, 0, 1])))).toEqual([
      modbusException(1, 6, 1),
    ]);
    expect(probe.receive(withModbusCrc(new Uint8Array([2, 3, 0, 0, 0, 7])))).toEqual([]);
  });

  it('drifts deterministically within bounds', () => {
    const read = (seed: number) => {
      const probe = new SoilProbeDevice({ driftPerRead: true, rng: new SeededRng(seed) });
      const request = vectorBytes('modbus_rtu_soil_probe', 'read 7 registers');
      for (let i = 0; i < 500; i++) probe.receive(request);
      return probe.state;
    };
    expect(read(9)).toEqual(read(9));
    const soil = read(9);
    expect(soil.moisturePct).toBeGreaterThanOrEqual(5);
    expect(soil.moisturePct).toBeLessThanOrEqual(60);
    expect(soil).not.toEqual(typicalLoam);
    expect(soilRegisters(typicalLoam)).toEqual([314, 186, 420, 65, 52, 18, 120]);
  });
});
