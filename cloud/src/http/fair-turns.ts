import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Requests handled in short event-loop turns, first come first served, so the loop keeps accepting
 * connections while it is busy.
 *
 * Why: since libuv 1.45 (Node 20) a listening socket accepts ONE connection per event-loop turn
 * (libuv PR #3696, "don't accept() connections in a loop"). node:http runs each request's handler
 * inside the socket's read callback, so one turn serves every request that arrived since the last
 * one: at 500 busy keep-alive connections and ~1 ms a page, a turn lasts ~0.5 s, and a new
 * connection waits in the kernel's accept queue one turn per connection ahead of it — seconds. In
 * `bench:web` that was the 10-second timeouts (the listen socket's queue held ~30 connections and
 * drained one per turn; each timeout reconnects and queues again). Real phones open a new
 * connection per scan, so they met the same wait.
 *
 * Here a request is only queued in the read callback; the queue is worked in `setImmediate`
 * turns of at most `turnWorkMsMax` of handler time, so the loop comes back to poll (one accept,
 * new requests read) every few milliseconds. A handler that waits for real I/O (a scrypt login,
 * a proposal) does not hold the queue: once the turn is over the next request starts.
 */

export interface FairTurnLimits {
  /** Handler time per event-loop turn before the loop is let go round (to accept, to read). */
  turnWorkMsMax: number;
  /** Requests waiting for a turn; more are answered 503 at once (a bound, not a tuning knob). */
  queuedRequestsMax: number;
}

export const defaultFairTurnLimits: FairTurnLimits = { turnWorkMsMax: 2, queuedRequestsMax: 20_000 };

export interface FairTurnHooks {
  /** Monotonic milliseconds. */
  nowMs: () => number;
  /** Run `callback` in a later event-loop turn (after poll: `setImmediate`). */
  later: (callback: () => void) => void;
}

const realHooks: FairTurnHooks = { nowMs: () => performance.now(), later: (run) => void setImmediate(run) };

/** Served slots at the front of the queue array are dropped once there are this many. */
const compactFrom = 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export function fairTurns(
  handler: Handler,
  limits: FairTurnLimits = defaultFairTurnLimits,
  hooks: FairTurnHooks = realHooks,
): RequestListener {
  const queue: [IncomingMessage, ServerResponse][] = [];
  let head = 0;
  let scheduled = false;

  const run = (req: IncomingMessage, res: ServerResponse): Promise<unknown> => {
    try {
      return Promise.resolve(handler(req, res)).catch((error: unknown) => failed(res, error));
    } catch (error) {
      failed(res, error);
      return Promise.resolve();
    }
  };

  const turn = async () => {
    let deadline = hooks.nowMs() + limits.turnWorkMsMax;
    let turnOver = new Promise<'turn'>((next) => hooks.later(() => next('turn')));
    while (head < queue.length) {
      const [req, res] = queue[head]!;
      queue[head] = undefined as never;
      head += 1;
      // Done within this turn (in-memory or synchronous reads), or waiting on I/O: then the loop
      // has gone round already and a new turn starts with its own budget.
      if ((await Promise.race([run(req, res), turnOver])) === 'turn') {
        deadline = hooks.nowMs() + limits.turnWorkMsMax;
        turnOver = new Promise<'turn'>((next) => hooks.later(() => next('turn')));
      } else if (hooks.nowMs() >= deadline) break;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      scheduled = false;
      return;
    }
    if (head >= compactFrom) {
      queue.splice(0, head);
      head = 0;
    }
    hooks.later(() => void turn());
  };

  return (req, res) => {
    if (queue.length - head >= limits.queuedRequestsMax) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'http.busy', message: 'server busy, retry' } }));
      return;
    }
    queue.push([req, res]);
    if (!scheduled) {
      scheduled = true;
      hooks.later(() => void turn());
    }
  };
}

function failed(res: ServerResponse, error: unknown): void {
  console.error(error);
  if (res.writableEnded) return;
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'http.internal', message: 'internal error' } }));
}
