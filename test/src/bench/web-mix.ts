import type { SeededRng } from '@suyuan/shared';

/**
 * Which item each benchmark request asks for. `uniform`: every item equally likely (the issue's
 * benchmark, the page cache's worst case). `zipf`: item popularity falls as 1/rank^s (s = 1), the
 * usual shape of web traffic — a few products on many shelves are scanned far more than the rest;
 * ranks are dealt to items in a seeded random order so the popular ones are spread over all lots.
 * Reported beside uniform, never instead of it.
 */
export const mixes = ['uniform', 'zipf'] as const;
export type Mix = (typeof mixes)[number];
export const zipfExponent = 1;

export type ItemPicker = () => number;

export function uniformPicker(rng: SeededRng, itemCount: number): ItemPicker {
  return () => rng.int(itemCount);
}

export function zipfPicker(rng: SeededRng, itemCount: number, s = zipfExponent): ItemPicker {
  const cumulative = new Float64Array(itemCount);
  let sum = 0;
  for (let k = 0; k < itemCount; k++) {
    sum += 1 / (k + 1) ** s;
    cumulative[k] = sum;
  }
  const itemOfRank = rng.shuffle(Array.from({ length: itemCount }, (_, i) => i));
  return () => {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = itemCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return itemOfRank[lo]!;
  };
}

export function pickerFor(mix: Mix, rng: SeededRng, itemCount: number): ItemPicker {
  return mix === 'zipf' ? zipfPicker(rng, itemCount) : uniformPicker(rng, itemCount);
}

/** Item index → resolver path: lot i has product i % 3 and serials <lot>0001…<lot>00<itemsPerLot>. */
export function itemPath(index: number, gtins: readonly string[], itemsPerLot: number): string {
  const lot = Math.floor(index / itemsPerLot);
  const inLot = index % itemsPerLot;
  const lotId = `L${String(lot + 1).padStart(5, '0')}`;
  return `/01/${gtins[lot % 3]}/21/${lotId}${String(inLot + 1).padStart(4, '0')}`;
}

/** Counts how many requests asked for an item asked before in the run: the most a cache can hit. */
export class RepeatCounter {
  private readonly seen = new Set<number>();
  asked = 0;
  repeats = 0;

  note(index: number): void {
    this.asked += 1;
    if (this.seen.has(index)) this.repeats += 1;
    else this.seen.add(index);
  }

  get repeatShare(): number {
    return this.asked === 0 ? 0 : this.repeats / this.asked;
  }
}
