import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LinkStateChange,
  openNodeSerialPort,
  SerialSoilProbe,
  SerialTagReader,
  type SoilProbeOutcome,
  type TagRead,
  type TagReaderConfig,
} from '@suyuan/edge/serial/index';
import {
  type LineNoise,
  type SerialDevice,
  SerialDevicePort,
  SimulatedLine,
} from '@suyuan/firmware-sim/serial/index';
import { SeededRng } from '@suyuan/shared';
import { SocatPair } from './socat-pair.ts';

/**
 * Wiring for the pseudo-terminal tests: a temp dir, socat pairs, simulated devices on one end and the
 * gateway's adapters on the other, all torn down in reverse order by `close()`.
 */

/** Bounded wait for anything these tests expect to see on a pty (reads, polls, reopen). */
export const ptyWaitMs = 10_000;

const fastReopen = { reopenDelayMsMin: 20, reopenDelayMsMax: 200, stableOpenMs: 1000 };

export class PtyHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'suyuan-serial-'));
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  async socat(): Promise<SocatPair> {
    const pair = await SocatPair.start(this.dir);
    this.cleanups.push(() => pair.stop());
    return pair;
  }

  async device(path: string, device: SerialDevice, seed: number, noise?: LineNoise) {
    const line = new SimulatedLine(new SeededRng(seed), { chunkBytesMax: 5, ...(noise ? { noise } : {}) });
    const port = await SerialDevicePort.open({ path, baudRate: 115200, device, line, tickIntervalMs: 10 });
    this.cleanups.push(() => port.close());
    return { port, line };
  }

  tagReader(path: string, protocol: TagReaderConfig['protocol'], r2000Address?: number) {
    const reads: TagRead[] = [];
    const states: LinkStateChange[] = [];
    const reader = new SerialTagReader(
      { path, baudRate: 115200, readerId: 'reader-1', protocol, ...(r2000Address ? { r2000Address } : {}) },
      {
        openPort: openNodeSerialPort,
        onTagRead: (read) => reads.push(read),
        onState: (change) => states.push(change),
        debounce: { windowMs: 60_000, entriesMax: 100 },
        reopen: fastReopen,
        limits: { idleFlushMs: 50, inventoryGapMs: 10, inventoryResendMs: 500 },
      },
    );
    reader.start();
    this.cleanups.push(() => reader.stop());
    return { reader, reads, states };
  }

  soilProbe(path: string) {
    const outcomes: SoilProbeOutcome[] = [];
    const states: LinkStateChange[] = [];
    const probe = new SerialSoilProbe(
      { path, baudRate: 4800, deviceId: 'probe-1', slave: 1 },
      {
        openPort: openNodeSerialPort,
        onOutcome: (outcome) => outcomes.push(outcome),
        onState: (change) => states.push(change),
        poll: { pollIntervalMs: 50, responseTimeoutMs: 300, retriesMax: 2 },
        reopen: fastReopen,
      },
    );
    probe.start();
    this.cleanups.push(() => probe.stop());
    return { probe, outcomes, states };
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup();
    this.cleanups.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
