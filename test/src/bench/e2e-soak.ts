import { runLoad } from '@suyuan/firmware-sim/scenario/run';
import { type TelemetryBlock, telemetryBlocks } from '../e2e/ledger-readings.ts';
import { percentile, rssMb, slope } from './e2e-probes.ts';
import { type Load, takeAcked } from './e2e-run.ts';

/**
 * Soak mode: a steady rate for a bounded number of minutes, sampled every `sampleMs`: resident
 * memory of every process, outbox backlog (readings the broker acknowledged and the ledger does not
 * hold yet) and commit lag (publish → commit latency of the readings committed in that interval).
 * Each series gets a least-squares trend over the run after warm-up, and a verdict: flat when the
 * fitted change over the run is within 10% of its mean, or within an absolute floor.
 */
export interface SoakSample {
  tMs: number;
  rssMb: Record<string, number>;
  ackedTotal: number;
  committedTotal: number;
  backlogReadings: number;
  lagP50Ms: number;
  lagP99Ms: number;
  committedPerSecond: number;
}

export interface Trend {
  series: string;
  unit: string;
  mean: number;
  /** Change per minute of the least-squares line. */
  slopePerMinute: number;
  /** Fitted change over the measured (post-warm-up) span. */
  changeOverRun: number;
  allowed: number;
  flat: boolean;
}

export interface SoakResult {
  readingsPerSecond: number;
  minutes: number;
  sampleMs: number;
  warmupSamples: number;
  samples: SoakSample[];
  trends: Trend[];
  ackedTotal: number;
  committedTotal: number;
}

export async function runSoak(
  load: Load,
  rate: number,
  minutes: number,
  sampleMs: number,
): Promise<SoakResult> {
  const samplesMax = Math.max(2, Math.ceil((minutes * 60_000) / sampleMs));
  const t0 = Date.now();
  let scanned = await load.watcher.poll();
  let ackedTotal = 0;
  let committedTotal = 0;
  const samples: SoakSample[] = [];
  takeAcked(load.devices);
  for (let i = 0; i < samplesMax; i++) {
    await runLoad(load.nodes, load.devices, {
      readingsPerSecond: rate,
      durationMs: sampleMs,
      readingsPerMessage: load.readingsPerMessage,
      inFlightPerDeviceMax: load.inFlightPerDeviceMax,
      drainMsMax: 0,
    });
    ackedTotal += takeAcked(load.devices).length;
    const top = await load.watcher.poll();
    const fresh: TelemetryBlock[] =
      top > scanned ? await telemetryBlocks(load.net.url(0), scanned + 1, top) : [];
    scanned = Math.max(scanned, top);
    const lags: number[] = [];
    let committed = 0;
    for (const b of fresh) {
      const seen = load.watcher.firstSeen.get(b.height) ?? Date.now();
      for (const r of b.readings) lags.push(seen - r.time);
      committed += b.readings.length;
    }
    committedTotal += committed;
    lags.sort((a, b) => a - b);
    const pids = load.net.pids();
    samples.push({
      tMs: Date.now() - t0,
      rssMb: Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, rssMb(pid)])),
      ackedTotal,
      committedTotal,
      backlogReadings: Math.max(0, ackedTotal - committedTotal),
      lagP50Ms: percentile(lags, 50),
      lagP99Ms: percentile(lags, 99),
      committedPerSecond: Math.round((committed * 1000) / sampleMs),
    });
  }
  const warmupSamples = Math.min(samples.length - 2, Math.ceil(samples.length / 5));
  return {
    readingsPerSecond: rate,
    minutes,
    sampleMs,
    warmupSamples,
    samples,
    trends: trends(samples.slice(warmupSamples), rate),
    ackedTotal,
    committedTotal,
  };
}

function trend(series: string, unit: string, points: { x: number; y: number }[], floor: number): Trend {
  const mean = points.reduce((s, p) => s + p.y, 0) / Math.max(1, points.length);
  const perMs = slope(points);
  const span = (points.at(-1)?.x ?? 0) - (points[0]?.x ?? 0);
  const changeOverRun = perMs * span;
  const allowed = Math.max(floor, Math.abs(mean) * 0.1);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    series,
    unit,
    mean: r(mean),
    slopePerMinute: r(perMs * 60_000),
    changeOverRun: r(changeOverRun),
    allowed: r(allowed),
    flat: Math.abs(changeOverRun) <= allowed,
  };
}

/** Memory floor 10 MB; backlog floor one second of readings; lag floor 200 ms. */
export function trends(samples: readonly SoakSample[], rate: number): Trend[] {
  const out: Trend[] = [];
  const names = Object.keys(samples[0]?.rssMb ?? {});
  for (const name of names)
    out.push(
      trend(
        `rss ${name}`,
        'MB',
        samples.map((s) => ({ x: s.tMs, y: s.rssMb[name] ?? 0 })),
        10,
      ),
    );
  out.push(
    trend(
      'outbox backlog',
      'readings',
      samples.map((s) => ({ x: s.tMs, y: s.backlogReadings })),
      rate,
    ),
  );
  out.push(
    trend(
      'commit lag p50',
      'ms',
      samples.map((s) => ({ x: s.tMs, y: s.lagP50Ms })),
      200,
    ),
  );
  return out;
}
