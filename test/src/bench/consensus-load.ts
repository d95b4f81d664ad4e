import { Agent, request as httpRequest } from 'node:http';

/**
 * Open-loop load against one replica: requests leave at the offered rate whether or not earlier
 * ones have committed (a closed loop would hide queueing delay), each as
 * `POST /v1/requests?wait=commit` (or grouped, `POST /v1/requests/batch?wait=commit`), whose
 * answer marks the commit. In-flight requests are bounded;
 * when the bound is hit the send is skipped and counted, so the offered rate actually achieved is
 * reported too.
 */
export interface LoadResult {
  offeredPerS: number;
  sent: number;
  skippedInflightFull: number;
  committed: number;
  failed: number;
  committedPerS: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyMsMax: number;
}

export interface LoadOptions {
  port: number;
  bodies: string[];
  offeredPerS: number;
  durationMs: number;
  inflightMax: number;
  /** After the sending window, how long to wait for stragglers. */
  drainMsMax: number;
  /** Requests per HTTP call: 1 uses POST /v1/requests, more POST /v1/requests/batch (bodies pre-grouped). */
  requestsPerCall: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.inflightMax });
  const latencies: number[] = [];
  let inflight = 0;
  let sent = 0;
  let skipped = 0;
  let failed = 0;
  let lastCommitAt = 0;
  const start = performance.now();
  const perCall = options.requestsPerCall;
  const callsPerS = options.offeredPerS / perCall;
  const total = Math.min(options.bodies.length, Math.round((callsPerS * options.durationMs) / 1000));
  const path = perCall === 1 ? '/v1/requests?wait=commit' : '/v1/requests/batch?wait=commit';

  const post = (body: string) => {
    const began = performance.now();
    inflight++;
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          inflight--;
          const committed = committedCount(res.statusCode, chunks, perCall);
          if (committed > 0) lastCommitAt = performance.now();
          for (let i = 0; i < committed; i++) latencies.push(lastCommitAt - began);
          failed += perCall - committed;
        });
      },
    );
    req.on('error', () => {
      inflight--;
      failed++;
    });
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * callsPerS) / 1000));
      while (sent + skipped < due) {
        if (inflight >= options.inflightMax) {
          skipped++;
          continue;
        }
        post(options.bodies[sent + skipped]!);
        sent++;
      }
      if (sent + skipped >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const drainDeadline = performance.now() + options.drainMsMax;
  while (inflight > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 10));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const elapsedS = Math.max(options.durationMs, lastCommitAt - start) / 1000;
  return {
    offeredPerS: options.offeredPerS,
    sent: sent * perCall,
    skippedInflightFull: skipped * perCall,
    committed: latencies.length,
    failed: failed + inflight * perCall,
    committedPerS: Math.round(latencies.length / elapsedS),
    latencyMsP50: round(percentile(latencies, 50)),
    latencyMsP99: round(percentile(latencies, 99)),
    latencyMsMax: round(latencies.at(-1) ?? Number.NaN),
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

function committedCount(statusCode: number | undefined, chunks: Buffer[], perCall: number): number {
  if (statusCode !== 200) return 0;
  if (perCall === 1) return 1;
  const { results } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { results: { status: string }[] };
  return results.filter((r) => r.status === 'committed').length;
}
