import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Small helpers over prom-client for metrics whose values already live elsewhere (status objects,
 * SQLite counters): they are read at scrape time in `collect`, never booked twice.
 */
export type Labels = Record<string, string | number>;

/** A gauge whose every labelled value is replaced at each scrape. */
export function scrapedGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Iterable<[Labels, number]>,
): Gauge {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** A counter read from a monotonic count kept elsewhere (reset and re-set at each scrape). */
export function scrapedCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Iterable<[Labels, number]>,
): Counter {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}

export function histogram(registry: Registry, name: string, help: string, buckets: number[]): Histogram {
  return new Histogram({ name, help, buckets, registers: [registry] });
}

/** Latency buckets in seconds, 1 ms to 30 s. */
export const latencyBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** `{a: 1, b: 2}` as label/value pairs under label `name`. */
export function byLabel(
  name: string,
  counts: Record<string, number>,
  extra: Labels = {},
): [Labels, number][] {
  return Object.entries(counts).map(([key, value]) => [{ ...extra, [name]: key }, value]);
}
