import {
  type MeasurementType,
  SOIL_MOISTURE_TYPE,
  SOIL_NITROGEN_TYPE,
  SOIL_PHOSPHORUS_TYPE,
  SOIL_POTASSIUM_TYPE,
} from '@suyuan/shared';

/**
 * Register map of the common RS485 7-in-1 soil probe (function 03, holding registers 0..6) and how each
 * register becomes a measurement `{type, value, uom}` that the shared reading contract (`parseReading`)
 * accepts: EPCIS 2.0 measurement types where one fits, the project's full-URI types where none does
 * (soil moisture, N, P, K), and UN/ECE Rec 20 unit codes.
 *
 * Conductivity: the probe reports µS/cm (Rec 20 `G42`); the reading contract accepts `H61`, which Rec 20
 * defines as millisiemens per centimetre, so the value is divided by 1000 to stay true to its unit.
 */

export interface Measurement {
  readonly type: MeasurementType;
  readonly value: number;
  readonly uom: string;
}

export interface SoilRegisterSpec {
  readonly register: number;
  readonly name: string;
  readonly type: MeasurementType;
  readonly uom: string;
  readonly signed: boolean;
  /** value = raw / divisor, in `uom`. */
  readonly divisor: number;
  /** The probe's measuring range in `uom`; a value outside it is a sensor fault, not data. */
  readonly min: number;
  readonly max: number;
}

const spec = (
  register: number,
  name: string,
  type: MeasurementType,
  uom: string,
  scale: { signed?: boolean; divisor: number; min: number; max: number },
): SoilRegisterSpec => ({ register, name, type, uom, signed: scale.signed ?? false, ...scale });

export const soilProbeRegisterMap: readonly SoilRegisterSpec[] = [
  spec(0, 'moisture', SOIL_MOISTURE_TYPE, 'P1', { divisor: 10, min: 0, max: 100 }),
  spec(1, 'temperature', 'Temperature', 'CEL', { signed: true, divisor: 10, min: -40, max: 80 }),
  spec(2, 'conductivity', 'Conductivity', 'H61', { divisor: 1000, min: 0, max: 20 }),
  spec(3, 'pH', 'pH', 'C62', { divisor: 10, min: 0, max: 14 }),
  spec(4, 'nitrogen', SOIL_NITROGEN_TYPE, 'NA', { divisor: 1, min: 0, max: 2999 }),
  spec(5, 'phosphorus', SOIL_PHOSPHORUS_TYPE, 'NA', { divisor: 1, min: 0, max: 2999 }),
  spec(6, 'potassium', SOIL_POTASSIUM_TYPE, 'NA', { divisor: 1, min: 0, max: 2999 }),
];

/** Registers to read in one request to get every measurement (0..6). */
export const soilProbeRegisterCount = soilProbeRegisterMap.length;

export interface RejectedRegister {
  readonly register: number;
  readonly raw: number;
  readonly reason: string;
}

export interface SoilProbeDecoding {
  readonly measurements: readonly Measurement[];
  readonly rejected: readonly RejectedRegister[];
}

/**
 * Turns the registers read from `firstRegister` on into measurements. Values outside a register's
 * physical range are returned in `rejected` with the raw value, never silently dropped or clamped.
 */
export function decodeSoilProbeRegisters(registers: readonly number[], firstRegister = 0): SoilProbeDecoding {
  const measurements: Measurement[] = [];
  const rejected: RejectedRegister[] = [];
  registers.forEach((raw, i) => {
    const entry = soilProbeRegisterMap.find((s) => s.register === firstRegister + i);
    if (!entry) {
      rejected.push({ register: firstRegister + i, raw, reason: 'not in the register map' });
      return;
    }
    const integer = entry.signed && raw >= 0x8000 ? raw - 0x10000 : raw;
    // Divide (not multiply by 0.1) so that 652 / 10 is the double nearest 65.2.
    const value = integer / entry.divisor;
    if (value < entry.min || value > entry.max) {
      rejected.push({
        register: entry.register,
        raw,
        reason: `${entry.name} ${value} outside ${entry.min}..${entry.max}`,
      });
      return;
    }
    measurements.push({ type: entry.type, value, uom: entry.uom });
  });
  return { measurements, rejected };
}
