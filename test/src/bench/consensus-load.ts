import { Agent, request as httpRequest } from 'node:http';

/**
 * Open-loop load against one replica: requests leave at the offered rate whether or not earlier
 * ones have committed (a closed loop would hide queueing delay), each as
 * `POST /v1/requests?wait=commit`, whose answer marks the commit. In-flight requests are bounded;
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
  const total = Math.min(
    options.bodies.length,
    Math.round((options.offeredPerS * options.durationMs) / 1000),
  );

  const post = (body: string) => {
    const began = performance.now();
    inflight++;
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: '/v1/requests?wait=commit',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          inflight--;
          if (res.statusCode === 200) {
            lastCommitAt = performance.now();
            latencies.push(lastCommitAt - began);
          } else failed++;
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
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.offeredPerS) / 1000));
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
    sent,
    skippedInflightFull: skipped,
    committed: latencies.length,
    failed: failed + inflight,
    committedPerS: Math.round(latencies.length / elapsedS),
    latencyMsP50: round(percentile(latencies, 50)),
    latencyMsP99: round(percentile(latencies, 99)),
    latencyMsMax: round(latencies.at(-1) ?? Number.NaN),
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
