import { readFileSync } from 'node:fs';
import { telemetryHeight } from '../e2e/ledger-readings.ts';

/**
 * What the e2e bench watches while load runs: per-process CPU time and resident memory from /proc
 * (cheap, no cooperation from the process), and the telemetry chain's height on one replica,
 * polled often, so each block gets the time it was first seen committed.
 */
export function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** User + system CPU time in ms (/proc/<pid>/stat fields 14 and 15, 100 ticks/s). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * Minor page faults so far (/proc/<pid>/stat field 10). A first touch of a fresh page costs this VM
 * ~8–20 µs of CPU, so faults per reading say how much of the CPU per reading is memory churn.
 */
export function minorFaults(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[7]);
  } catch {
    return 0;
  }
}

export function faultSnapshot(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, minorFaults(pid)]));
}

export function cpuSnapshot(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
}

/** CPU cores' worth each process used between two snapshots (1 = one full core). */
export function cpuShares(
  before: Record<string, number>,
  after: Record<string, number>,
  wallMs: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(after))
    out[name] = Math.round((((after[name] ?? 0) - (before[name] ?? 0)) / Math.max(1, wallMs)) * 100) / 100;
  return out;
}

/**
 * Polls `/v1/chains` every `intervalMs` and records when each telemetry height was first seen. A
 * block's commit time is then known to within one interval (recorded in the result).
 */
export class HeightWatcher {
  readonly firstSeen = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private height = 0;
  private busy = false;
  private readonly url: string;
  private readonly intervalMs: number;

  constructor(url: string, intervalMs: number) {
    this.url = url;
    this.intervalMs = intervalMs;
  }

  get latest(): number {
    return this.height;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  async poll(): Promise<number> {
    if (this.busy) return this.height;
    this.busy = true;
    try {
      const height = await telemetryHeight(this.url);
      const now = Date.now();
      for (let h = this.height + 1; h <= height; h++) if (!this.firstSeen.has(h)) this.firstSeen.set(h, now);
      this.height = Math.max(this.height, height);
    } catch {
      // a busy replica may miss one poll; the next one records the heights it skipped
    } finally {
      this.busy = false;
    }
    return this.height;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
