import { ManualClock } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { Heartbeat } from './heartbeat.ts';

const limits = { heartbeatIntervalMs: 100, peerSilenceMsMax: 1_000 };

function setup() {
  const clock = new ManualClock(0);
  const calls = { beats: 0, silent: 0 };
  const heartbeat = new Heartbeat(
    limits,
    () => calls.beats++,
    () => calls.silent++,
    clock,
  );
  /** One on-time check per interval for `ms`, the peer heard at every check when `talking`. */
  const run = (ms: number, talking: boolean) => {
    for (let t = 0; t < ms; t += limits.heartbeatIntervalMs) {
      clock.advance(limits.heartbeatIntervalMs);
      if (talking) heartbeat.heard();
      heartbeat.check();
    }
  };
  return { clock, calls, heartbeat, run };
}

describe('heartbeat', () => {
  it('beats every interval while the peer talks, and never calls it silent', () => {
    const { calls, run } = setup();
    run(60_000, true);
    expect(calls.beats).toBe(600);
    expect(calls.silent).toBe(0);
  });

  it('calls the peer silent once, after peerSilenceMsMax without a word', () => {
    const { calls, run } = setup();
    run(900, true);
    run(1_000, false);
    expect(calls.silent).toBe(0); // exactly peerSilenceMsMax is still allowed
    run(100, false);
    expect(calls.silent).toBe(1);
    expect(calls.beats).toBe(19);
  });

  it('a late check means this process stalled: the silence is ours, not the peer`s', () => {
    const { clock, calls, heartbeat, run } = setup();
    run(500, true);
    clock.advance(5_000); // a 5 s synchronous step: no check ran, no data was read
    heartbeat.check();
    run(900, false);
    expect(calls.silent).toBe(0);
    run(200, false);
    expect(calls.silent).toBe(1);
  });
});
