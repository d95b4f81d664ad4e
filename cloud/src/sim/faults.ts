import type { Rng } from '@suyuan/shared';

export type FaultKind =
  | 'loss'
  | 'duplicate'
  | 'reorder'
  | 'delay'
  | 'partition'
  | 'asymmetricPartition'
  | 'crash';

export const allFaultKinds: readonly FaultKind[] = [
  'loss',
  'duplicate',
  'reorder',
  'delay',
  'partition',
  'asymmetricPartition',
  'crash',
];

export type FaultEvent =
  | { at: number; kind: 'conditions'; lossRate: number; duplicateRate: number; delayTicksMax: number }
  | { at: number; kind: 'cut'; pairs: [number, number][]; label: string }
  | { at: number; kind: 'uncut'; pairs: [number, number][]; label: string }
  | { at: number; kind: 'crash'; host: number }
  | { at: number; kind: 'restart'; host: number }
  | { at: number; kind: 'heal' };

export function describeEvent(e: FaultEvent): string {
  switch (e.kind) {
    case 'conditions':
      return `t=${e.at} network loss=${e.lossRate.toFixed(2)} dup=${e.duplicateRate.toFixed(2)} delayMax=${e.delayTicksMax}`;
    case 'cut':
      return `t=${e.at} cut ${e.label}`;
    case 'uncut':
      return `t=${e.at} uncut ${e.label}`;
    case 'crash':
      return `t=${e.at} crash host ${e.host}`;
    case 'restart':
      return `t=${e.at} restart host ${e.host}`;
    case 'heal':
      return `t=${e.at} heal everything`;
  }
}

/**
 * A seeded fault schedule over [0, healTick): network conditions, partitions (symmetric splits and
 * one-way cuts), crashes with restarts. At healTick everything heals and crashed hosts restart.
 */
export function planFaults(options: {
  rng: Rng;
  kinds: readonly FaultKind[];
  hosts: number;
  /** Hosts that may crash (honest ones; at most `crashMax` down at once). */
  crashable: readonly number[];
  crashMax: number;
  healTick: number;
}): FaultEvent[] {
  const { rng, kinds, hosts, healTick } = options;
  const has = (k: FaultKind): boolean => kinds.includes(k);
  const events: FaultEvent[] = [];
  const lossRate = has('loss') ? 0.05 + rng.next() * 0.2 : 0;
  const duplicateRate = has('duplicate') ? 0.05 + rng.next() * 0.2 : 0;
  const delayTicksMax = has('delay') ? 6 + rng.int(15) : has('reorder') ? 4 : 1;
  events.push({ at: 0, kind: 'conditions', lossRate, duplicateRate, delayTicksMax });
  const episodes = 1 + rng.int(3);
  for (let i = 0; i < episodes; i++) {
    const start = rng.int(Math.floor(healTick * 0.7));
    const end = Math.min(healTick - 1, start + 20 + rng.int(Math.floor(healTick / 3)));
    if (has('partition') && rng.chance(0.7)) {
      const ids = rng.shuffle([...Array(hosts).keys()]);
      const cut = 1 + rng.int(Math.max(1, Math.floor(hosts / 2)));
      const left = ids.slice(0, cut);
      const right = ids.slice(cut);
      const pairs: [number, number][] = [];
      for (const a of left) for (const b of right) pairs.push([a, b], [b, a]);
      const label = `{${left.join(',')}}|{${right.join(',')}}`;
      events.push({ at: start, kind: 'cut', pairs, label }, { at: end, kind: 'uncut', pairs, label });
    }
    if (has('asymmetricPartition') && rng.chance(0.7)) {
      const pairs: [number, number][] = [];
      const count = 1 + rng.int(hosts);
      for (let j = 0; j < count; j++) {
        const a = rng.int(hosts);
        const b = rng.int(hosts);
        if (a !== b) pairs.push([a, b]);
      }
      const label = pairs.map(([a, b]) => `${a}>${b}`).join(' ');
      events.push({ at: start, kind: 'cut', pairs, label }, { at: end, kind: 'uncut', pairs, label });
    }
  }
  if (has('crash') && options.crashable.length > 0) {
    const crashes = 1 + rng.int(3);
    let downUntil = new Map<number, number>();
    for (let i = 0; i < crashes; i++) {
      const at = 1 + rng.int(Math.floor(healTick * 0.8));
      downUntil = new Map([...downUntil].filter(([, until]) => until > at));
      if (downUntil.size >= options.crashMax) continue;
      const host = rng.pick(options.crashable);
      if (downUntil.has(host)) continue;
      const until = Math.min(healTick - 1, at + 10 + rng.int(Math.floor(healTick / 2)));
      downUntil.set(host, until);
      events.push({ at, kind: 'crash', host }, { at: until, kind: 'restart', host });
    }
  }
  events.push({ at: healTick, kind: 'heal' });
  return events.sort((a, b) => a.at - b.at);
}
