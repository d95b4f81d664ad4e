import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';

/** What `pnpm bench:edge` reads about a child process from /proc, and the machine facts every result records. */

export function rssMb(pid: number): number {
  return rssParts(pid).total;
}

/**
 * RSS and its parts in MB from /proc/<pid>/status: `anon` is the heap, malloc arenas and stacks;
 * `file` the mapped node binary and shared libraries (shared with other node processes on the box).
 */
export function rssParts(pid: number): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { total: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile') };
}

/** User + system CPU time of a process in ms (/proc/<pid>/stat fields 14 and 15, 100 ticks/s). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function ackedCount(devices: Map<string, MqttDevice>): number {
  let n = 0;
  for (const d of devices.values()) n += d.acked.length;
  return n;
}

export function machineFacts() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverageBefore: loadavg(),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
