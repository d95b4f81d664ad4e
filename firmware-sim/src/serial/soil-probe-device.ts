import type { Rng } from '@suyuan/shared';
import { CommandScanner, modbusRequestFraming } from './command-scanner.ts';
import { modbusException, modbusRegistersResponse } from './device-frames.ts';
import type { SerialDevice } from './serial-device.ts';
import { flipByteAt } from './simulated-line.ts';

/**
 * A 7-in-1 RS485 soil probe (Modbus RTU slave): holding registers 0 moisture ×10 %, 1 temperature ×10 °C
 * (int16), 2 EC µS/cm, 3 pH ×10, 4..6 N, P, K mg/kg. Answers function 03 within the map, exception 02
 * outside it, exception 01 for other functions, and stays silent for other slaves (as on a shared bus).
 * With `driftPerRead`, the soil changes a little between reads, within realistic bounds.
 */

export interface SoilState {
  moisturePct: number;
  temperatureC: number;
  ecUsPerCm: number;
  ph: number;
  nitrogenMgKg: number;
  phosphorusMgKg: number;
  potassiumMgKg: number;
}

export const typicalLoam: Readonly<SoilState> = {
  moisturePct: 31.4,
  temperatureC: 18.6,
  ecUsPerCm: 420,
  ph: 6.5,
  nitrogenMgKg: 52,
  phosphorusMgKg: 18,
  potassiumMgKg: 120,
};

export const modbusIllegalFunction = 0x01;
export const modbusIllegalDataAddress = 0x02;
const REGISTER_COUNT = 7;

export interface SoilProbeDeviceOptions {
  readonly slave?: number;
  readonly soil?: SoilState;
  /** Random-walk the soil between reads (needs `rng`). */
  readonly driftPerRead?: boolean;
  readonly rng?: Rng;
}

export function soilRegisters(soil: SoilState): number[] {
  const u16 = (value: number) => Math.round(value) & 0xffff;
  return [
    u16(soil.moisturePct * 10),
    u16(soil.temperatureC * 10),
    u16(soil.ecUsPerCm),
    u16(soil.ph * 10),
    u16(soil.nitrogenMgKg),
    u16(soil.phosphorusMgKg),
    u16(soil.potassiumMgKg),
  ];
}

export class SoilProbeDevice implements SerialDevice {
  private readonly scanner = new CommandScanner(modbusRequestFraming);
  private readonly slave: number;
  private readonly drift: boolean;
  private readonly rng: Rng | undefined;
  private soil: SoilState;
  readonly corrupt = flipByteAt(-1);
  requestsAnswered = 0;

  constructor(options: SoilProbeDeviceOptions = {}) {
    this.slave = options.slave ?? 1;
    this.soil = { ...(options.soil ?? typicalLoam) };
    this.drift = options.driftPerRead ?? false;
    this.rng = options.rng;
  }

  get state(): Readonly<SoilState> {
    return { ...this.soil };
  }

  setSoil(soil: SoilState): void {
    this.soil = { ...soil };
  }

  receive(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const request of this.scanner.push(chunk)) {
      if (request[0] !== this.slave) continue;
      this.requestsAnswered++;
      out.push(this.answer(request));
    }
    return out;
  }

  tick(): Uint8Array[] {
    return [];
  }

  private answer(request: Uint8Array): Uint8Array {
    const fn = request[1]!;
    if (fn !== 0x03) return modbusException(this.slave, fn, modbusIllegalFunction);
    const first = (request[2]! << 8) | request[3]!;
    const count = (request[4]! << 8) | request[5]!;
    if (count < 1 || first + count > REGISTER_COUNT)
      return modbusException(this.slave, fn, modbusIllegalDataAddress);
    if (this.drift && this.rng) this.soil = drifted(this.soil, this.rng);
    return modbusRegistersResponse(this.slave, soilRegisters(this.soil).slice(first, first + count));
  }
}

function drifted(soil: SoilState, rng: Rng): SoilState {
  const walk = (value: number, step: number, min: number, max: number) =>
    Math.min(max, Math.max(min, value + (rng.next() * 2 - 1) * step));
  return {
    moisturePct: walk(soil.moisturePct, 0.3, 5, 60),
    temperatureC: walk(soil.temperatureC, 0.2, -10, 45),
    ecUsPerCm: walk(soil.ecUsPerCm, 5, 50, 3000),
    ph: walk(soil.ph, 0.02, 4.5, 8.5),
    nitrogenMgKg: walk(soil.nitrogenMgKg, 0.5, 0, 300),
    phosphorusMgKg: walk(soil.phosphorusMgKg, 0.3, 0, 150),
    potassiumMgKg: walk(soil.potassiumMgKg, 1, 0, 600),
  };
}
