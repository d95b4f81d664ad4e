import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { keygen } from '@suyuan/cloud/replica/keygen';
import { signedRequest } from '@suyuan/cloud/replica/request-auth';
import { type Ed25519KeyPair, generateKeyPair, toBase64Url } from '@suyuan/shared';

/**
 * A local cluster of real replica processes (`node --import tsx cloud/src/cli.ts start`) on
 * loopback, for tests and benchmarks: start, kill -9, restart, submit, and poll status with bounded
 * loops (never sleeps as waits).
 */
export const repoRoot = resolve(import.meta.dirname, '../../..');
const cliPath = join(repoRoot, 'cloud/src/cli.ts');

export interface ReplicaStatus {
  id: number;
  view: number;
  primary: number;
  lastExecuted: number;
  lastStableCheckpoint: number;
  inViewChange: boolean;
  pendingRequests: number;
  peers: { sendingTo: number[]; receivingFrom: number[] };
  dropped: Record<string, Record<string, number>>;
  app: { lastApplied: number; stateDigest: string; executed: number };
  stateTransfer: { fetchesSent: number; fetchesServed: number; batchesServed: number };
}

export interface LogEntry {
  position: number;
  submitter: string;
  seq: number;
  batchSeq: number;
}

interface Running {
  child: ChildProcess;
  httpPort: number;
  exited: Promise<void>;
}

export interface ClusterOptions {
  n: number;
  consensus?: Record<string, number>;
  driver?: Record<string, number>;
  /** Extra node flags for every replica (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`,
  );
}

export class LocalCluster {
  readonly dir: string;
  readonly configs: string[];
  readonly n: number;
  private readonly running = new Map<number, Running>();
  private readonly nodeArgs: string[];
  readonly stderr = new Map<number, string[]>();

  private constructor(dir: string, configs: string[], n: number, nodeArgs: string[]) {
    this.dir = dir;
    this.configs = configs;
    this.n = n;
    this.nodeArgs = nodeArgs;
  }

  static async create(options: ClusterOptions): Promise<LocalCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-cluster-'));
    const { configs } = await keygen({ n: options.n, outDir: dir, host: '127.0.0.1' });
    for (const path of configs) {
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      config.consensus = options.consensus ?? {};
      config.driver = options.driver ?? {};
      config.listen = { ...(config.listen as object), httpPort: 0 }; // learned from the process's stdout
      writeFileSync(path, JSON.stringify(config, null, 2));
    }
    return new LocalCluster(dir, configs, options.n, options.nodeArgs ?? []);
  }

  get live(): number[] {
    return [...this.running.keys()].sort((a, b) => a - b);
  }

  async start(id: number): Promise<void> {
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, '--import', 'tsx', cliPath, 'start', '--config', this.configs[id]!],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const errors: string[] = [];
    this.stderr.set(id, errors);
    child.stderr!.on('data', (chunk: Buffer) => {
      errors.push(chunk.toString());
      if (errors.length > 200) errors.shift();
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const httpPort = await new Promise<number>((resolvePort, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const event = JSON.parse(line) as { event?: string; httpPort?: number };
          if (event.event === 'listening' && event.httpPort) resolvePort(event.httpPort);
        } catch {}
      });
      child.once('exit', (code) =>
        reject(new Error(`replica ${id} exited (${code}): ${errors.join('').slice(-2000)}`)),
      );
    });
    this.running.set(id, { child, httpPort, exited });
  }

  async startAll(): Promise<void> {
    await Promise.all(Array.from({ length: this.n }, (_, id) => this.start(id)));
  }

  /** kill -9: no shutdown handler runs. */
  async kill(id: number): Promise<void> {
    const replica = this.running.get(id);
    if (!replica) return;
    this.running.delete(id);
    replica.child.kill('SIGKILL');
    await replica.exited;
  }

  /** SIGTERM: a clean shutdown (lets --cpu-prof write its profile). */
  async terminate(id: number): Promise<void> {
    const replica = this.running.get(id);
    if (!replica) return;
    this.running.delete(id);
    replica.child.kill('SIGTERM');
    await replica.exited;
  }

  httpPort(id: number): number {
    const replica = this.running.get(id);
    if (!replica) throw new Error(`replica ${id} is not running`);
    return replica.httpPort;
  }

  url(id: number, path: string): string {
    const replica = this.running.get(id);
    if (!replica) throw new Error(`replica ${id} is not running`);
    return `http://127.0.0.1:${replica.httpPort}${path}`;
  }

  async status(id: number): Promise<ReplicaStatus> {
    const response = await fetch(this.url(id, '/v1/status'));
    return (await response.json()) as ReplicaStatus;
  }

  async statuses(ids = this.live): Promise<ReplicaStatus[]> {
    return Promise.all(ids.map((id) => this.status(id)));
  }

  async log(id: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for (let page = 0; page < 10_000; page++) {
      const after = out.at(-1)?.position ?? 0;
      const response = await fetch(this.url(id, `/v1/app/log?after=${after}&limit=1000`));
      const { entries } = (await response.json()) as { entries: LogEntry[] };
      if (entries.length === 0) break;
      out.push(...entries);
    }
    return out;
  }

  /** Posts a request to one replica; returns the HTTP status (0 when the replica is unreachable). */
  async submit(id: number, request: WireRequest): Promise<number> {
    try {
      const response = await fetch(this.url(id, '/v1/requests'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.live.map((id) => this.kill(id)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface WireRequest {
  submitter: string;
  seq: number;
  body: string;
}

/** A submitter with its own key and sequence numbers, making signed requests of a given size. */
export class Submitter {
  readonly key: Ed25519KeyPair = generateKeyPair();
  private nextSeq = 1;

  make(payloadBytes = 64): WireRequest {
    const seq = this.nextSeq++;
    const request = signedRequest(
      this.key,
      seq,
      [{ n: seq, pad: 'x'.repeat(payloadBytes) }],
      1_700_000_000_000 + seq,
    );
    return { submitter: request.submitter, seq: request.seq, body: toBase64Url(request.body) };
  }
}
