/**
 * A min-heap of timed events for the deterministic driver. Ties on time are broken by insertion
 * order, so the same inputs replay the same schedule exactly.
 */
export interface Timed<T> {
  at: number;
  order: number;
  value: T;
}

export class EventQueue<T> {
  private readonly heap: Timed<T>[] = [];
  private inserted = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, value: T): void {
    const heap = this.heap;
    heap.push({ at, order: this.inserted++, value });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): Timed<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before<T>(a: Timed<T>, b: Timed<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
