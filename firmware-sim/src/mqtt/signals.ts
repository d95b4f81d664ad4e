import { type MeasurementType, type Rng, SOIL_MOISTURE_TYPE } from '@suyuan/shared';

/**
 * Signal models for simulated field sensors: a daily cycle, slow drift, noise, and for soil
 * moisture the saw-tooth of drying out and irrigation. Each model is a function of simulated time
 * and a seeded rng, so a season replays identically from its seed.
 */
export interface Channel {
  type: MeasurementType;
  uom: string;
  /** The next value at `timeMs`; may keep state (soil moisture remembers its water). */
  sample(timeMs: number, rng: Rng): number;
}

const DAY_MS = 86_400_000;

/** Standard normal from two uniforms (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Phase of the day in [0, 1) at local solar time (offset in hours east of UTC). */
function dayPhase(timeMs: number, utcOffsetHours: number): number {
  const local = timeMs + utcOffsetHours * 3_600_000;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
}

export interface DailyCycle {
  mean: number;
  amplitude: number;
  /** Hour of the day (local) at which the cycle peaks. */
  peakHour: number;
  noise: number;
  /** Change of the mean per simulated day. */
  driftPerDay: number;
  min: number;
  max: number;
}

export function dailyCycle(
  type: MeasurementType,
  uom: string,
  c: DailyCycle,
  startMs: number,
  utcOffsetHours = 8,
): Channel {
  return {
    type,
    uom,
    sample(timeMs, rng) {
      const phase = dayPhase(timeMs, utcOffsetHours) - c.peakHour / 24;
      const drift = (c.driftPerDay * (timeMs - startMs)) / DAY_MS;
      const value = c.mean + drift + c.amplitude * Math.cos(2 * Math.PI * phase) + c.noise * gaussian(rng);
      return round(Math.min(c.max, Math.max(c.min, value)), 2);
    },
  };
}

/** Illuminance: zero at night, a sine over the daylight hours, clouds as multiplicative noise. */
export function daylight(peakLux: number, utcOffsetHours = 8): Channel {
  return {
    type: 'Illuminance',
    uom: 'LUX',
    sample(timeMs, rng) {
      const hour = dayPhase(timeMs, utcOffsetHours) * 24;
      if (hour < 6 || hour > 19) return 0;
      const sun = Math.sin((Math.PI * (hour - 6)) / 13);
      const clouds = 0.6 + 0.4 * rng.next();
      return Math.round(peakLux * sun * clouds);
    },
  };
}

/** Soil moisture (% volumetric): evaporates faster at midday, jumps when irrigated. */
export function soilMoisture(
  start: number,
  irrigateBelow: number,
  irrigateTo: number,
  utcOffsetHours = 8,
): Channel {
  let water = start;
  let lastMs: number | null = null;
  return {
    type: SOIL_MOISTURE_TYPE,
    uom: 'P1',
    sample(timeMs, rng) {
      if (lastMs !== null && timeMs > lastMs) {
        const hours = (timeMs - lastMs) / 3_600_000;
        const sun = Math.max(0, Math.sin((Math.PI * (dayPhase(timeMs, utcOffsetHours) * 24 - 6)) / 13));
        water -= hours * (0.05 + 0.25 * sun);
        if (water < irrigateBelow) water = irrigateTo;
      }
      lastMs = timeMs;
      return round(Math.max(0, water + 0.3 * gaussian(rng)), 2);
    },
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
