import type { ReadModel } from '../read-model.ts';

/**
 * The page's reads, remembered while the ledger's change stamp stays the same: the 50 items of a
 * lot share its history, plot readings, farm and truck, so after the first page of a lot the next
 * ones read them from here. Everything is dropped when the stamp moves (or after `ageMsMax`, for
 * readings, which the stamp leaves out); entries are bounded. Results are shared: callers must not
 * mutate them (the pages only read).
 */

export interface MemoLimits {
  entriesMax: number;
  ageMsMax: number;
}

export const defaultMemoLimits: MemoLimits = { entriesMax: 50_000, ageMsMax: 30_000 };

type Memoized = 'product' | 'lot' | 'participant' | 'eventsFor' | 'readings';

export function memoReadModel(model: ReadModel, nowMs: () => number, limits = defaultMemoLimits): ReadModel {
  let stamp = '';
  let since = 0;
  const memo = new Map<string, Promise<unknown>>();
  const remember = <T>(kind: Memoized, key: string, read: () => Promise<T>): Promise<T> => {
    const current = model.changeStamp();
    const now = nowMs();
    if (current !== stamp || now - since > limits.ageMsMax) {
      memo.clear();
      stamp = current;
      since = now;
    }
    const k = `${kind}|${key}`;
    const known = memo.get(k);
    if (known) return known as Promise<T>;
    const value = read();
    // A failed read is not remembered.
    value.catch(() => memo.delete(k));
    if (memo.size >= limits.entriesMax) memo.delete(memo.keys().next().value!);
    memo.set(k, value);
    return value;
  };
  return Object.assign(Object.create(model) as ReadModel, {
    changeStamp: () => model.changeStamp(),
    replicaPublicKeys: () => model.replicaPublicKeys(),
    product: (gtin: string) => remember('product', gtin, () => model.product(gtin)),
    lot: (gtin: string, lot: string) => remember('lot', `${gtin}|${lot}`, () => model.lot(gtin, lot)),
    participant: (id: string) => remember('participant', id, () => model.participant(id)),
    eventsFor: (key: string) => remember('eventsFor', key, () => model.eventsFor(key)),
    readings: (deviceId: string, fromMs: number, toMs: number, limit: number) =>
      remember('readings', `${deviceId}|${fromMs}|${toMs}|${limit}`, () =>
        model.readings(deviceId, fromMs, toMs, limit),
      ),
  });
}
