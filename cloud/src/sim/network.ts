import type { Rng } from '@suyuan/shared';

/** One encoded message in flight between two simulated hosts. */
export interface Packet {
  deliverAt: number;
  order: number;
  from: number;
  to: number;
  bytes: Uint8Array;
}

/** Network conditions; the fault schedule changes them over virtual time. */
export interface NetworkConditions {
  lossRate: number;
  duplicateRate: number;
  delayTicksMax: number;
  /** blocked.has(`${from}>${to}`): that direction is cut (symmetric partitions cut both). */
  blocked: Set<string>;
}

export function calmConditions(): NetworkConditions {
  return { lossRate: 0, duplicateRate: 0, delayTicksMax: 2, blocked: new Set() };
}

/** Seeded lossy, duplicating, reordering, delaying, partitionable network in virtual ticks. */
export class SimNetwork {
  conditions: NetworkConditions = calmConditions();
  private queue: Packet[] = [];
  private order = 0;
  sent = 0;
  delivered = 0;
  lost = 0;
  private readonly rng: Rng;
  private readonly queueMax: number;

  constructor(rng: Rng, queueMax = 200_000) {
    this.rng = rng;
    this.queueMax = queueMax;
  }

  send(now: number, from: number, to: number, bytes: Uint8Array): void {
    this.sent++;
    const c = this.conditions;
    if (c.blocked.has(`${from}>${to}`) || this.rng.chance(c.lossRate) || this.queue.length >= this.queueMax) {
      this.lost++;
      return;
    }
    const copies = this.rng.chance(c.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const deliverAt = now + 1 + this.rng.int(Math.max(1, c.delayTicksMax));
      this.queue.push({ deliverAt, order: this.order++, from, to, bytes });
    }
  }

  /** Packets due at `now`, in a seeded order (so equal-time packets are reordered too). */
  due(now: number): Packet[] {
    const ready: Packet[] = [];
    const later: Packet[] = [];
    for (const p of this.queue) (p.deliverAt <= now ? ready : later).push(p);
    this.queue = later;
    ready.sort((a, b) => a.deliverAt - b.deliverAt || a.order - b.order);
    this.rng.shuffle(ready);
    // A partition that started after sending still cuts delivery.
    const out = ready.filter((p) => !this.conditions.blocked.has(`${p.from}>${p.to}`));
    this.lost += ready.length - out.length;
    this.delivered += out.length;
    return out;
  }

  /** Drops everything addressed to a crashed host. */
  dropTo(host: number): void {
    this.queue = this.queue.filter((p) => p.to !== host);
  }

  get inFlight(): number {
    return this.queue.length;
  }
}
