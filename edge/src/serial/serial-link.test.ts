import { describe, expect, it } from 'vitest';
import { reopenDelayMs } from './backoff.ts';
import { type LinkStateChange, SerialLink } from './serial-link.ts';
import { FakePorts } from './serial-test-support.ts';
import { ManualTimers } from './timers.ts';

const limits = { reopenDelayMsMin: 100, reopenDelayMsMax: 1000, stableOpenMs: 5000 };

function setup(pathExists?: (path: string) => boolean) {
  const ports = new FakePorts();
  const timers = new ManualTimers();
  const states: LinkStateChange[] = [];
  const data: Uint8Array[] = [];
  const link = new SerialLink(
    { path: '/dev/ttyTEST', baudRate: 115200 },
    {
      openPort: ports.open,
      timers,
      reopen: limits,
      pathCheckIntervalMs: pathExists ? 1000 : 0,
      ...(pathExists ? { pathExists } : {}),
      onData: (chunk) => data.push(chunk),
      onState: (change) => states.push(change),
    },
  );
  return { ports, timers, states, data, link };
}

describe('reopenDelayMs', () => {
  it('doubles from the minimum up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => reopenDelayMs(n, limits))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });
});

describe('SerialLink', () => {
  it('opens, passes data both ways, and refuses writes while not open', () => {
    const { ports, states, data, link } = setup();
    link.start();
    expect(link.write(new Uint8Array([1]))).toBe(false);
    ports.last.events.onOpen();
    ports.last.events.onData(new Uint8Array([7, 8]));
    expect(link.write(new Uint8Array([9]))).toBe(true);
    expect(data).toEqual([new Uint8Array([7, 8])]);
    expect(ports.last.written).toEqual([new Uint8Array([9])]);
    expect(states.map((s) => s.state)).toEqual(['opening', 'open']);
    expect(link.stats).toMatchObject({ opens: 1, bytesIn: 2, bytesOut: 1, writesDropped: 1 });
  });

  it('reopens with exponential backoff while the device is missing, then resets after a stable open', () => {
    const { ports, timers, states, link } = setup();
    link.start();
    for (let i = 0; i < 5; i++) {
      ports.last.events.onClose(new Error('No such file or directory'));
      const delay = states[states.length - 1]!.reopenDelayMs!;
      timers.advance(delay - 1);
      const before = ports.attempts.length;
      timers.advance(1);
      expect(ports.attempts.length).toBe(before + 1);
    }
    expect(states.filter((s) => s.state === 'waiting').map((s) => s.reopenDelayMs)).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    ports.last.events.onOpen();
    timers.advance(limits.stableOpenMs);
    ports.last.events.onClose(new Error('disconnected'));
    expect(states[states.length - 1]).toMatchObject({
      state: 'waiting',
      failures: 1,
      reopenDelayMs: 100,
      reason: 'disconnected',
    });
  });

  it('keeps backing off when a port opens and drops at once', () => {
    const { ports, timers, states, link } = setup();
    link.start();
    for (let i = 0; i < 3; i++) {
      ports.last.events.onOpen();
      ports.last.events.onClose(undefined);
      timers.advance(states[states.length - 1]!.reopenDelayMs!);
    }
    expect(states.filter((s) => s.state === 'waiting').map((s) => s.reopenDelayMs)).toEqual([100, 200, 400]);
    expect(link.stats.closes).toBe(3);
  });

  it('ignores events from a port it has given up on', () => {
    const { ports, timers, data, link } = setup();
    link.start();
    const first = ports.last;
    first.events.onOpen();
    first.events.onClose(new Error('gone'));
    expect(first.closed).toBe(true);
    timers.advance(100);
    first.events.onData(new Uint8Array([1]));
    first.events.onClose(new Error('late duplicate'));
    expect(data).toEqual([]);
    expect(link.state).toBe('opening');
  });

  it('reopens when the device path vanishes while the port still looks open', () => {
    let present = true;
    const { ports, timers, states, link } = setup(() => present);
    link.start();
    ports.last.events.onOpen();
    timers.advance(3000);
    expect(link.state).toBe('open');
    present = false;
    timers.advance(1000);
    expect(states[states.length - 1]).toMatchObject({ state: 'waiting', reason: 'device path vanished' });
    expect(ports.attempts[0]!.closed).toBe(true);
  });

  it('stops for good: no timers left, no reopen', () => {
    const { ports, timers, link } = setup();
    link.start();
    ports.last.events.onClose(new Error('missing'));
    link.stop();
    expect(timers.pendingCount).toBe(0);
    timers.advance(60_000);
    expect(ports.attempts).toHaveLength(1);
    expect(link.state).toBe('stopped');
  });
});
