import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts the demo's child processes, each in its own process group (`detached`), so a stop can
 * signal the whole group (a child's own children included) and nothing is left behind. Ctrl-C in a
 * terminal reaches only the supervisor's group; the supervisor then stops children in reverse start
 * order: SIGTERM to the group, a bounded wait for the exit, SIGKILL to the group if still there.
 * stdout and stderr of every child go to `<logDir>/<name>.log`.
 */
export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface Supervised {
  name: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line `match` accepts (parsed JSON), rejects if the child exits first. */
  line<T>(match: (json: Record<string, unknown>) => T | null): Promise<T>;
}

export const stopGraceMsMax = 8000;

export class Supervisor {
  private readonly children: Supervised[] = [];
  private readonly logs: WriteStream[] = [];
  private stopping = false;
  readonly logDir: string;
  /** Called when a child exits while the supervisor is not stopping. */
  onUnexpectedExit: (name: string, code: number | null) => void = () => {};

  constructor(logDir: string) {
    this.logDir = logDir;
    mkdirSync(logDir, { recursive: true });
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  start(spec: ChildSpec): Supervised {
    // `--fresh` wipes the data dir after the supervisor exists, so make sure the log dir is there.
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    this.logs.push(log);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    const pid = child.pid;
    const jsonLines: Record<string, unknown>[] = [];
    const waiters = new Set<(json: Record<string, unknown>) => void>();
    createInterface({ input: child.stdout! }).on('line', (text) => {
      log.write(`${text}\n`);
      const json = parseJsonLine(text);
      if (!json) return;
      jsonLines.push(json);
      if (jsonLines.length > 100) jsonLines.shift();
      for (const waiter of waiters) waiter(json);
    });
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        log.write(`# exited code=${code} signal=${signal}\n`);
        resolve(code);
        if (!this.stopping) this.onUnexpectedExit(spec.name, code);
      }),
    );
    const line = <T>(match: (json: Record<string, unknown>) => T | null): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const seen = jsonLines.map(match).find((v) => v !== null);
        if (seen !== undefined && seen !== null) return resolve(seen);
        const waiter = (json: Record<string, unknown>) => {
          const value = match(json);
          if (value !== null) {
            waiters.delete(waiter);
            resolve(value);
          }
        };
        waiters.add(waiter);
        exited.then((code) => {
          waiters.delete(waiter);
          reject(
            new Error(`${spec.name} exited (code ${code}); see ${join(this.logDir, `${spec.name}.log`)}`),
          );
        });
      });
    const supervised: Supervised = { name: spec.name, pid, child, exited, line };
    this.children.push(supervised);
    return supervised;
  }

  /** Stops every child, newest first; returns the names that needed SIGKILL. */
  async stopAll(report: (text: string) => void = () => {}): Promise<string[]> {
    this.stopping = true;
    const killed: string[] = [];
    for (const c of [...this.children].reverse()) {
      if (c.child.exitCode !== null || c.child.signalCode !== null) continue;
      report(`stopping ${c.name} (pid ${c.pid})`);
      signalGroup(c.pid, 'SIGTERM');
      const graceful = await Promise.race([
        c.exited.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), stopGraceMsMax).unref()),
      ]);
      if (!graceful) {
        killed.push(c.name);
        signalGroup(c.pid, 'SIGKILL');
        await c.exited;
      }
      // The group may hold more than the leader (socat, a tsx wrapper): make sure it is empty.
      signalGroup(c.pid, 'SIGKILL');
    }
    for (const log of this.logs) log.end();
    return killed;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function parseJsonLine(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
