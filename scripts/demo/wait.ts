/**
 * Bounded polling: every wait in the demo names what it waits for and gives up after a fixed number
 * of attempts with a message saying so (never an unbounded loop, never a bare sleep as a wait).
 */
export interface PollOptions {
  attemptsMax: number;
  intervalMs: number;
  /** Stops the wait early (the supervisor is shutting down or a child died). */
  abort?: AbortSignal;
}

export class WaitTimeoutError extends Error {}

const pause = (ms: number, abort?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      abort?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abort?.addEventListener('abort', onAbort, { once: true });
  });

export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  options: PollOptions,
): Promise<T> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < options.attemptsMax; attempt++) {
    if (options.abort?.aborted) throw new WaitTimeoutError(`stopped while waiting for ${what}`);
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      lastError = error;
    }
    await pause(options.intervalMs, options.abort);
  }
  const last = lastError ? ` (last error: ${(lastError as Error).message})` : '';
  throw new WaitTimeoutError(
    `gave up waiting for ${what} after ${options.attemptsMax} attempts × ${options.intervalMs} ms${last}`,
  );
}

/** Polls GET <base>/healthz until it answers 200. */
export function waitHealthy(base: string, what: string, options: PollOptions): Promise<true> {
  return pollUntil(
    what,
    async () => {
      const res = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.ok ? true : null;
    },
    options,
  );
}
