import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ClientRequest } from '@suyuan/cloud/consensus/types';
import { type Actor, clientRequest, register, submitBody, T0 } from '@suyuan/cloud/ledger/testing';
import type { Payload } from '@suyuan/shared';
import { repoRoot } from '../cluster/harness.ts';

/** This process's CPU time (user + system) in µs: what a shared machine distorts least. */
export function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * This process's minor page faults so far. On this VM a first touch of a fresh 4 KiB page costs
 * ~8–20 µs of CPU (a 1 MB string made from bytes: 5–7 ms, against 0.1–0.2 ms for 64 KiB ones), so
 * the benches count them beside CPU time: a transient ~1 MB buffer or string shows up here first.
 */
export function minorFaults(): number {
  return process.resourceUsage().minorPageFault;
}

/**
 * CPU time and minor page faults per named piece of work, summed over calls, with how many units
 * (requests, readings) each call handled: the in-process side-by-side benches report µs per unit.
 */
export class CpuTally {
  readonly totals = new Map<string, { us: number; count: number; faults: number }>();

  /** Runs work and adds its CPU time to name's total (count 0: run, not counted, e.g. setup). */
  time(name: string, count: number, work: () => void): void {
    if (count === 0) {
      work();
      return;
    }
    const faultsBefore = minorFaults();
    const start = cpuUs();
    work();
    this.add(name, count, cpuUs() - start, minorFaults() - faultsBefore);
  }

  add(name: string, count: number, us: number, faults = 0): void {
    const entry = this.totals.get(name) ?? { us: 0, count: 0, faults: 0 };
    entry.us += us;
    entry.count += count;
    entry.faults += faults;
    this.totals.set(name, entry);
  }

  /** µs per unit of every named total, to two decimals. */
  perUnit(): Record<string, number> {
    return Object.fromEntries(
      [...this.totals].map(([name, t]) => [name, Math.round((100 * t.us) / t.count) / 100]),
    );
  }

  /** Minor page faults per 1,000 units of every named total, to one decimal. */
  faultsPerThousand(): Record<string, number> {
    return Object.fromEntries(
      [...this.totals].map(([name, t]) => [name, Math.round((10_000 * t.faults) / t.count) / 10]),
    );
  }
}

/**
 * Plain temperature readings from a few probes, each counting up its own seq, `timeBaseMs` a day
 * before: the reading batches the replica benches submit (deterministic, no randomness).
 */
export class ReadingPayloads {
  private readonly seqs: Map<string, number>;
  readonly devices: readonly string[];
  private readonly timeBaseMs: number;

  constructor(timeBaseMs: number, devices: readonly string[] = ['probe-0', 'probe-1', 'probe-2', 'probe-3']) {
    this.devices = devices;
    this.timeBaseMs = timeBaseMs;
    this.seqs = new Map(devices.map((d) => [d, 0]));
  }

  next(count: number): Payload[] {
    return Array.from({ length: count }, (_, k) => {
      const deviceId = this.devices[k % this.devices.length]!;
      const seq = this.seqs.get(deviceId)! + 1;
      this.seqs.set(deviceId, seq);
      const value = Math.round(2000 + 500 * Math.sin(seq / 7)) / 100;
      return {
        kind: 'reading',
        reading: {
          deviceId,
          seq,
          time: this.timeBaseMs - 86_400_000 + seq * 10,
          type: 'Temperature',
          value,
          uom: 'CEL',
        },
      };
    });
  }
}

/**
 * Writes an in-process bench's JSON (the machine line added) to `out`, or to
 * test/bench/results/<benchmark>-<stamp>.json, and prints it.
 */
export function writeBenchReport(
  benchmark: string,
  out: string | undefined,
  loadAverageAtStart: number[],
  fields: Record<string, unknown>,
): void {
  const report = {
    benchmark,
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
    },
    ...fields,
  };
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = resolve(out ?? join(repoRoot, 'test/bench/results', `${benchmark}-${stamp}.json`));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  console.log(`written ${path}`);
}

/** The registry requests that let `gateway` submit readings: its organisation, and its devices bound. */
export function gatewaySetupRequests(
  admin: Actor,
  gateway: Actor,
  devices: readonly string[],
): ClientRequest[] {
  return [
    clientRequest(submitBody(admin, [register(gateway, ['farm'])], T0)),
    clientRequest(
      submitBody(
        gateway,
        devices.map((deviceId) => ({
          kind: 'registry',
          action: { type: 'bindDevice', deviceId, gateway: gateway.key.keyId },
        })),
        T0,
      ),
    ),
  ];
}
