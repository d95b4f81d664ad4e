import {
  fromHex,
  parseReading,
  SOIL_MOISTURE_TYPE,
  SOIL_NITROGEN_TYPE,
  SOIL_PHOSPHORUS_TYPE,
  SOIL_POTASSIUM_TYPE,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { ModbusResponseDecoder } from './modbus-rtu.ts';
import { loadSerialVectors, vectorsOf } from './serial-test-support.ts';
import { decodeSoilProbeRegisters, soilProbeRegisterCount } from './soil-probe.ts';

describe('soil probe register map', () => {
  it('turns the vector response into the vector values', () => {
    const v = vectorsOf(loadSerialVectors(), 'modbus_rtu_soil_probe').find((x) =>
      x.name.startsWith('response'),
    )!;
    const decoder = new ModbusResponseDecoder();
    decoder.expect({ slave: 1, registerCount: soilProbeRegisterCount });
    const [frame] = decoder.push(fromHex(v.hex));
    expect(frame?.kind).toBe('registers');
    const registers = frame?.kind === 'registers' ? frame.registers : [];
    const values = v['values'] as Record<string, number>;
    const { measurements, rejected } = decodeSoilProbeRegisters(registers);
    expect(rejected).toEqual([]);
    expect(measurements).toEqual([
      { type: SOIL_MOISTURE_TYPE, value: values['moisture_pct'], uom: 'P1' },
      { type: 'Temperature', value: values['temperature_c'], uom: 'CEL' },
      { type: 'Conductivity', value: values['ec_us_cm']! / 1000, uom: 'H61' },
      { type: 'pH', value: values['ph'], uom: 'C62' },
      { type: SOIL_NITROGEN_TYPE, value: values['n_mg_kg'], uom: 'NA' },
      { type: SOIL_PHOSPHORUS_TYPE, value: values['p_mg_kg'], uom: 'NA' },
      { type: SOIL_POTASSIUM_TYPE, value: values['k_mg_kg'], uom: 'NA' },
    ]);
    // Every measurement is a valid reading under the shared contract.
    for (const [seq, m] of measurements.entries()) {
      expect(parseReading({ deviceId: 'probe-1', seq, time: 1, ...m })).toMatchObject(m);
    }
  });

  it('reads temperature as a signed 16-bit value', () => {
    expect(decodeSoilProbeRegisters([0x8000 - 1], 1).rejected).toHaveLength(1); // +3276.7 °C is a fault
    expect(decodeSoilProbeRegisters([0xfe70], 1).measurements).toEqual([
      { type: 'Temperature', value: -40, uom: 'CEL' },
    ]);
  });

  it('rejects impossible values with the raw register, and registers outside the map', () => {
    const { measurements, rejected } = decodeSoilProbeRegisters([1001, 250], 0);
    expect(measurements).toEqual([{ type: 'Temperature', value: 25, uom: 'CEL' }]);
    expect(rejected).toEqual([{ register: 0, raw: 1001, reason: 'moisture 100.1 outside 0..100' }]);
    expect(decodeSoilProbeRegisters([5], 7).rejected).toMatchObject([{ register: 7, raw: 5 }]);
  });
});
