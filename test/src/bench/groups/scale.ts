import type { MeasuredConstants } from './constants.ts';
import { gForBusiest, gForTotal, layoutValid } from './cost-model.ts';
import { type SimPoint, simPoint } from './experiments.ts';

export interface ScalePoint {
  n: number;
  flat: SimPoint;
  /** The candidate (or, where a sweep ran at this n, any swept g) with the fewest messages per batch (loaded). */
  best: SimPoint;
  candidates: { g: number; messages: number; busiestMessages: number }[];
}

/** Groupings worth trying at n: 4, ⌊√n⌋, ⌈√n⌉ and the nearest integer to (n²/2)^(1/3) — valid layouts only. */
export function candidateGroups(n: number): number[] {
  const raw = [4, Math.floor(gForBusiest(n)), Math.ceil(gForBusiest(n)), Math.round(gForTotal(n))];
  return [...new Set(raw)].filter((g) => g > 1 && layoutValid(n, g)).sort((a, b) => a - b);
}

export function scalePoint(
  n: number,
  constants: MeasuredConstants,
  sizes: { flat: number; perGroup: number },
  known: readonly SimPoint[],
): ScalePoint {
  const reuse = (g: number) => known.find((p) => p.n === n && p.g === g) ?? simPoint(n, g, constants, sizes);
  const flat = reuse(1);
  const sweptHere = known.filter((p) => p.n === n && p.g > 1 && p.valid).map((p) => p.g);
  const tried = [...new Set([...candidateGroups(n), ...sweptHere])].sort((a, b) => a - b).map(reuse);
  const messages = (p: SimPoint) => p.loaded?.messages ?? Number.POSITIVE_INFINITY;
  const best = tried.reduce((a, b) => (messages(b) < messages(a) ? b : a));
  return {
    n,
    flat,
    best,
    candidates: tried.map((p) => ({
      g: p.g,
      messages: messages(p),
      busiestMessages: p.loaded?.busiest.messages ?? Number.NaN,
    })),
  };
}
