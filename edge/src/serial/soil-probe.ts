/**
 * Register map of the common RS485 7-in-1 soil probe (function 03, holding registers 0..6) and how each
 * register becomes an EPCIS 2.0 sensor measurement `{type, value, uom}`; uom is a UN/ECE Rec 20 code.
 *
 * EPCIS 2.0 has no measurement type for soil pH or for a mass fraction (mg of nutrient per kg of soil), so
 * those use full-URI extension types under `soilMeasurementTypeBase`, as the EPCIS schema allows for types
 * outside the GS1 vocabulary. Volumetric soil moisture is a volume fraction (volume of water per volume of
 * soil), which EPCIS names `VolumeFraction`; `AbsoluteHumidity` is water vapour in air and would mislead.
 */

/** Namespace for our own measurement types; one place to change when the project fixes its vocabulary URI. */
export const soilMeasurementTypeBase = 'https://suyuan.example/voc/measurementType/';

export interface Measurement {
  readonly type: string;
  readonly value: number;
  readonly uom: string;
}

export interface SoilRegisterSpec {
  readonly register: number;
  readonly name: string;
  readonly type: string;
  readonly uom: string;
  readonly signed: boolean;
  readonly divisor: number;
  /** Physically possible range; a value outside it is a sensor fault (open circuit, dry electrode), not data. */
  readonly min: number;
  readonly max: number;
}

export const soilProbeRegisterMap: readonly SoilRegisterSpec[] = [
  {
    register: 0,
    name: 'moisture',
    type: 'VolumeFraction',
    uom: 'P1',
    signed: false,
    divisor: 10,
    min: 0,
    max: 100,
  },
  {
    register: 1,
    name: 'temperature',
    type: 'Temperature',
    uom: 'CEL',
    signed: true,
    divisor: 10,
    min: -40,
    max: 80,
  },
  {
    register: 2,
    name: 'conductivity',
    type: 'Conductivity',
    uom: 'G42',
    signed: false,
    divisor: 1,
    min: 0,
    max: 20_000,
  },
  {
    register: 3,
    name: 'pH',
    type: `${soilMeasurementTypeBase}SoilPH`,
    uom: 'C62',
    signed: false,
    divisor: 10,
    min: 0,
    max: 14,
  },
  {
    register: 4,
    name: 'nitrogen',
    type: `${soilMeasurementTypeBase}SoilNitrogen`,
    uom: 'NA',
    signed: false,
    divisor: 1,
    min: 0,
    max: 2999,
  },
  {
    register: 5,
    name: 'phosphorus',
    type: `${soilMeasurementTypeBase}SoilPhosphorus`,
    uom: 'NA',
    signed: false,
    divisor: 1,
    min: 0,
    max: 2999,
  },
  {
    register: 6,
    name: 'potassium',
    type: `${soilMeasurementTypeBase}SoilPotassium`,
    uom: 'NA',
    signed: false,
    divisor: 1,
    min: 0,
    max: 2999,
  },
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
    const spec = soilProbeRegisterMap.find((s) => s.register === firstRegister + i);
    if (!spec) {
      rejected.push({ register: firstRegister + i, raw, reason: 'not in the register map' });
      return;
    }
    const integer = spec.signed && raw >= 0x8000 ? raw - 0x10000 : raw;
    // Divide (not multiply by 0.1) so that 652 / 10 is the double nearest 65.2.
    const value = integer / spec.divisor;
    if (value < spec.min || value > spec.max) {
      rejected.push({
        register: spec.register,
        raw,
        reason: `${spec.name} ${value} outside ${spec.min}..${spec.max}`,
      });
      return;
    }
    measurements.push({ type: spec.type, value, uom: spec.uom });
  });
  return { measurements, rejected };
}
