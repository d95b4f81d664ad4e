import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type FairTurnHooks, fairTurns } from './fair-turns.ts';

/** A hand-driven event loop: `later` callbacks wait in `turns` until the test runs the next turn. */
function manualLoop() {
  let now = 0;
  const turns: (() => void)[] = [];
  const hooks: FairTurnHooks = { nowMs: () => now, later: (run) => void turns.push(run) };
  return {
    hooks,
    advance: (ms: number) => {
      now += ms;
    },
    /** Run every callback queued for the next turn, then let their promise chains settle. */
    async nextTurn() {
      const due = turns.splice(0);
      for (const run of due) run();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    },
    pending: () => turns.length,
  };
}

interface FakeRes {
  status: number | null;
  body: string;
  writableEnded: boolean;
  headersSent: boolean;
}

function fakeRes(): FakeRes & ServerResponse {
  const res: FakeRes = { status: null, body: '', writableEnded: false, headersSent: false };
  return Object.assign(res, {
    writeHead(status: number) {
      res.status = status;
      res.headersSent = true;
      return this;
    },
    end(body?: string) {
      res.body = body ?? '';
      res.writableEnded = true;
      return this;
    },
  }) as unknown as FakeRes & ServerResponse;
}

const req = (url: string) => ({ url }) as IncomingMessage;

describe('fairTurns', () => {
  it('works the queue first come first served, at most turnWorkMsMax of handler time per turn', async () => {
    const loop = manualLoop();
    const served: string[] = [];
    const listener = fairTurns(
      async (r) => {
        loop.advance(1); // each request costs 1 ms of handler time
        served.push(r.url ?? '');
      },
      { turnWorkMsMax: 2, queuedRequestsMax: 100 },
      loop.hooks,
    );
    for (const url of ['/a', '/b', '/c', '/d', '/e']) listener(req(url), fakeRes());
    expect(served).toEqual([]); // queued in the read callback, nothing run yet
    await loop.nextTurn();
    expect(served).toEqual(['/a', '/b']);
    listener(req('/f'), fakeRes()); // arrives between turns: behind the older ones
    await loop.nextTurn();
    expect(served).toEqual(['/a', '/b', '/c', '/d']);
    await loop.nextTurn();
    expect(served).toEqual(['/a', '/b', '/c', '/d', '/e', '/f']);
    await loop.nextTurn();
    expect(loop.pending()).toBe(0); // idle: nothing scheduled
    listener(req('/g'), fakeRes());
    await loop.nextTurn();
    expect(served.at(-1)).toBe('/g');
  });

  it('does not hold the queue for a handler that waits on I/O', async () => {
    const loop = manualLoop();
    const served: string[] = [];
    let finishSlow = () => {};
    const listener = fairTurns(
      async (r) => {
        if (r.url === '/slow') await new Promise<void>((done) => (finishSlow = done));
        served.push(r.url ?? '');
      },
      { turnWorkMsMax: 2, queuedRequestsMax: 100 },
      loop.hooks,
    );
    listener(req('/slow'), fakeRes());
    listener(req('/fast'), fakeRes());
    await loop.nextTurn();
    expect(served).toEqual([]); // /slow is waiting; the turn ended
    await loop.nextTurn();
    expect(served).toEqual(['/fast']);
    finishSlow();
    await loop.nextTurn();
    expect(served).toEqual(['/fast', '/slow']);
  });

  it('answers 503 beyond queuedRequestsMax, and 500 when a handler fails', async () => {
    const loop = manualLoop();
    const listener = fairTurns(
      async (r) => {
        if (r.url === '/boom') throw new Error('planted');
      },
      { turnWorkMsMax: 2, queuedRequestsMax: 2 },
      loop.hooks,
    );
    const [a, b, c] = [fakeRes(), fakeRes(), fakeRes()];
    const errors = console.error;
    console.error = () => {};
    try {
      listener(req('/boom'), a);
      listener(req('/ok'), b);
      listener(req('/over'), c);
      expect(c.status).toBe(503);
      expect(JSON.parse(c.body).error.code).toBe('http.busy');
      await loop.nextTurn();
      expect(a.status).toBe(500);
      expect(JSON.parse(a.body).error.code).toBe('http.internal');
      expect(b.status).toBeNull(); // the handler wrote nothing; the scheduler added nothing
    } finally {
      console.error = errors;
    }
  });
});
