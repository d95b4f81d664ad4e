import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A pair of connected pseudo-terminals made by socat: what one end writes the other reads, like a
 * serial cable. Killing socat makes both ends vanish (the links are removed and the ttys hang up),
 * which is how the tests unplug a device.
 */

/** How long to wait for socat to create its links or to exit. */
export const socatStartTimeoutMs = 5000;
const pollIntervalMs = 10;

export class SocatPair {
  readonly pathA: string;
  readonly pathB: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(pathA: string, pathB: string) {
    this.pathA = pathA;
    this.pathB = pathB;
    this.child = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${pathA}`, `pty,raw,echo=0,link=${pathB}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Starts socat with links `<dir>/<nameA>` and `<dir>/<nameB>` and waits until both exist. */
  static async start(dir: string, nameA = 'ttyA', nameB = 'ttyB'): Promise<SocatPair> {
    const pair = new SocatPair(join(dir, nameA), join(dir, nameB));
    await waitUntil(
      () => existsSync(pair.pathA) && existsSync(pair.pathB),
      socatStartTimeoutMs,
      () => {
        return `socat links ${pair.pathA}, ${pair.pathB} (socat said: ${pair.stderr.trim()})`;
      },
    );
    return pair;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills socat and waits for it to exit: both pseudo-terminals disappear. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await Promise.race([
      this.exited,
      delay(socatStartTimeoutMs).then(() => {
        this.child.kill('SIGKILL');
        return this.exited;
      }),
    ]);
  }
}

/**
 * Polls `condition` until it holds, at most `timeoutMs`: a bounded wait on a state, never a fixed sleep.
 * Throws naming what was awaited.
 */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const polls = Math.ceil(timeoutMs / pollIntervalMs);
  for (let i = 0; i < polls; i++) {
    if (condition()) return;
    await delay(pollIntervalMs);
  }
  if (!condition()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
}
