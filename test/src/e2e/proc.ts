import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * One child process of a test network (a replica or a gateway): started through a wrapper (e.g.
 * `ip netns exec`, which execs, so the pid is the node process itself), with its stderr tail kept
 * for error messages, and kill -9 / SIGTERM that resolve once the process is gone.
 */
export interface Launch {
  command: string;
  args: string[];
}

const stderrTailChars = 4000;

export class Proc {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly exitedPromise: Promise<number | null>;
  private stderrTail = '';
  private readonly lineWatchers = new Set<(line: string) => void>();

  constructor(name: string, launch: Launch, cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.child = spawn(launch.command, launch.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-stderrTailChars);
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      for (const watch of this.lineWatchers) watch(line);
    });
    this.exitedPromise = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Resolves with the first stdout JSON line `pick` accepts; rejects if the process exits first. */
  jsonLine<T>(pick: (json: Record<string, unknown>) => T | null): Promise<T> {
    return new Promise((resolve, reject) => {
      const watch = (line: string) => {
        if (!line.startsWith('{')) return;
        try {
          const value = pick(JSON.parse(line) as Record<string, unknown>);
          if (value === null) return;
          this.lineWatchers.delete(watch);
          resolve(value);
        } catch {
          // not JSON after all: a log line
        }
      };
      this.lineWatchers.add(watch);
      void this.exitedPromise.then((code) => {
        if (!this.lineWatchers.delete(watch)) return;
        reject(new Error(`${this.name} exited (${code}) before its line: ${this.stderrTail}`));
      });
    });
  }

  /** `work`, unless the process exits first (then a rejection naming it, with its stderr tail). */
  async unlessExited<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const exit = this.exitedPromise.then((code): never | undefined => {
      if (!settled) throw new Error(`${this.name} exited (${code}): ${this.stderrTail}`);
      return undefined;
    });
    try {
      return (await Promise.race([work, exit])) as T;
    } finally {
      settled = true;
    }
  }

  /** kill -9: no shutdown handler runs. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exitedPromise;
  }

  async terminate(): Promise<number | null> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exitedPromise;
  }
}
