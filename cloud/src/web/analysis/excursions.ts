import type { Reading } from '@suyuan/shared';

/**
 * Cold-chain excursions: maximal runs of consecutive temperature readings outside [minC, maxC], kept
 * when the run lasts longer than the product's allowed minutes. A run's length is from its first
 * out-of-range reading to the first reading back in range (or its last reading), so a single sample
 * counts for the gap to the next one — the time the goods could have been warm.
 */

export interface ColdChainLimits {
  minC: number;
  maxC: number;
  excursionMinutesMax: number;
}

export interface Excursion {
  deviceId: string;
  from: number;
  to: number;
  minutes: number;
  peakC: number;
}

function celsius(r: Reading): number | null {
  if (r.type !== 'Temperature') return null;
  if (r.uom === 'CEL') return r.value;
  if (r.uom === 'FAH') return ((r.value - 32) * 5) / 9;
  if (r.uom === 'KEL') return r.value - 273.15;
  return null;
}

interface Run {
  deviceId: string;
  from: number;
  peak: number;
  last: number;
}

export function findExcursions(readings: readonly Reading[], limits: ColdChainLimits): Excursion[] {
  const out: Excursion[] = [];
  const close = (run: Run, to: number): void => {
    const minutes = Math.round((to - run.from) / 60_000);
    if (minutes > limits.excursionMinutesMax) {
      out.push({ deviceId: run.deviceId, from: run.from, to, minutes, peakC: run.peak });
    }
  };
  let run: Run | null = null;
  for (const r of readings) {
    const c = celsius(r);
    if (c === null) continue;
    const outside = c < limits.minC || c > limits.maxC;
    if (run !== null && (!outside || r.deviceId !== run.deviceId)) {
      close(run, r.deviceId === run.deviceId ? r.time : run.last);
      run = null;
    }
    if (!outside) continue;
    if (run === null) run = { deviceId: r.deviceId, from: r.time, peak: c, last: r.time };
    else {
      run.peak = c > limits.maxC ? Math.max(run.peak, c) : Math.min(run.peak, c);
      run.last = r.time;
    }
  }
  if (run !== null) close(run, run.last);
  return out;
}
