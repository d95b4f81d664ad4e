import { type Channel, dailyCycle, daylight, soilMoisture } from './signals.ts';

/**
 * The simulated node types and their channels. Numbers are plausible for a vegetable plot in
 * eastern China in the growing season and for a refrigerated truck (2-8 °C).
 */
export const sensorKinds = ['soil', 'air', 'light', 'coldChain'] as const;
export type SensorKind = (typeof sensorKinds)[number];

export function channelsFor(kind: SensorKind, startMs: number): Channel[] {
  switch (kind) {
    case 'soil':
      return [
        soilMoisture(32, 22, 38),
        dailyCycle(
          'Temperature',
          'CEL',
          { mean: 21, amplitude: 3, peakHour: 16, noise: 0.15, driftPerDay: 0.03, min: -10, max: 45 },
          startMs,
        ),
        dailyCycle(
          'Conductivity',
          'H61', // mS/cm: 0.9 mS/cm = 900 µS/cm, a typical loam
          { mean: 0.9, amplitude: 0.04, peakHour: 15, noise: 0.015, driftPerDay: -0.0015, min: 0.05, max: 5 },
          startMs,
        ),
        dailyCycle(
          'pH',
          'C62',
          { mean: 6.5, amplitude: 0.05, peakHour: 14, noise: 0.03, driftPerDay: -0.002, min: 3, max: 10 },
          startMs,
        ),
      ];
    case 'air':
      return [
        dailyCycle(
          'Temperature',
          'CEL',
          { mean: 24, amplitude: 6, peakHour: 14, noise: 0.3, driftPerDay: 0.05, min: -20, max: 50 },
          startMs,
        ),
        dailyCycle(
          'RelativeHumidity',
          'P1',
          { mean: 70, amplitude: -15, peakHour: 14, noise: 2, driftPerDay: 0, min: 5, max: 100 },
          startMs,
        ),
      ];
    case 'light':
      return [daylight(90_000)];
    case 'coldChain':
      return [
        dailyCycle(
          'Temperature',
          'CEL',
          { mean: 4.5, amplitude: 0.4, peakHour: 15, noise: 0.2, driftPerDay: 0, min: -5, max: 30 },
          startMs,
        ),
        dailyCycle(
          'RelativeHumidity',
          'P1',
          { mean: 88, amplitude: 2, peakHour: 15, noise: 1, driftPerDay: 0, min: 40, max: 100 },
          startMs,
        ),
      ];
  }
}
