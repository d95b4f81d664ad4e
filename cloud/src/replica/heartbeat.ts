import { assert, type Clock, systemClock } from '@suyuan/shared';

/** How a peer connection notices that the other end is gone without a FIN or RST. */
export interface HeartbeatLimits {
  /** Each side writes a heartbeat frame this often, and checks the other side's silence. */
  heartbeatIntervalMs: number;
  /** Nothing heard from the peer for this long closes the connection (then it is redialled). */
  peerSilenceMsMax: number;
}

export const defaultHeartbeatLimits: HeartbeatLimits = {
  heartbeatIntervalMs: 1_000,
  peerSilenceMsMax: 10_000,
};

/**
 * A heartbeat is a frame with an empty payload: the 4-byte length 0. No consensus message encodes
 * to zero bytes, so a reader tells the two apart by length alone.
 */
export const HEARTBEAT_FRAME: Buffer = Buffer.alloc(4);

/**
 * Silence detection on one authenticated connection. A cut cable or a dead switch leaves TCP
 * half-open: no FIN, no RST, and writes keep landing in the kernel's send buffer for minutes while
 * the sender retransmits, so without this the connection looked open long after the peer had gone
 * (status listed it as connected, and after the cable came back our frames sat behind TCP's
 * exponential retransmission backoff). Each side beats every `heartbeatIntervalMs`; a side that has
 * heard nothing (no frame, no heartbeat) for `peerSilenceMsMax` closes and redials.
 *
 * A check that runs late means this process was the one stalled (a long synchronous step, a busy
 * machine): the silence is then ours, so it restarts the count instead of blaming the peer.
 */
export class Heartbeat {
  private lastHeardMs: number;
  private lastCheckMs: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly limits: HeartbeatLimits;
  private readonly clock: Clock;
  private readonly beat: () => void;
  private readonly silent: () => void;

  constructor(limits: HeartbeatLimits, beat: () => void, silent: () => void, clock: Clock = systemClock) {
    assert(limits.heartbeatIntervalMs > 0, 'heartbeatIntervalMs must be positive');
    assert(
      limits.peerSilenceMsMax > 2 * limits.heartbeatIntervalMs,
      'peerSilenceMsMax must exceed two heartbeat intervals',
    );
    this.limits = limits;
    this.beat = beat;
    this.silent = silent;
    this.clock = clock;
    this.lastHeardMs = clock.now();
    this.lastCheckMs = this.lastHeardMs;
  }

  /** Anything arrived from the peer. */
  heard(): void {
    this.lastHeardMs = this.clock.now();
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), this.limits.heartbeatIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One interval: call `silent` (once, then stop) if the peer has been quiet too long, else beat. */
  check(): void {
    const now = this.clock.now();
    if (now - this.lastCheckMs > 2 * this.limits.heartbeatIntervalMs) this.lastHeardMs = now;
    this.lastCheckMs = now;
    if (now - this.lastHeardMs > this.limits.peerSilenceMsMax) {
      this.stop();
      this.silent();
      return;
    }
    this.beat();
  }
}
