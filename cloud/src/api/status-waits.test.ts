import { afterEach, describe, expect, it } from 'vitest';
import { StatusWaits } from './status-waits.ts';

const submitter = 'A'.repeat(43);

/** Lets every queued promise reaction run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<void> | null): { done: boolean } {
  const state = { done: false };
  expect(promise).not.toBeNull();
  void promise!.then(() => {
    state.done = true;
  });
  return state;
}

let waits: StatusWaits;
afterEach(() => waits.close());

describe('StatusWaits', () => {
  it('wakes a request waiter once its batch executed and was certified, not before', async () => {
    waits = new StatusWaits();
    const held = track(waits.forRequest(submitter, 7, 60_000));
    waits.executed(3, [
      { submitter, seq: 6 },
      { submitter, seq: 7 },
    ]);
    await settle();
    expect(held.done).toBe(false);
    waits.certified(2);
    await settle();
    expect(held.done).toBe(false);
    waits.certified(3);
    await settle();
    expect(held.done).toBe(true);
    expect(waits.waiting).toBe(0);
  });

  it('a certificate wakes its batch and earlier ones, not later ones', async () => {
    waits = new StatusWaits();
    const early = track(waits.forBatch(4, 60_000));
    const same = track(waits.forBatch(5, 60_000));
    const later = track(waits.forBatch(6, 60_000));
    waits.certified(5);
    await settle();
    expect([early.done, same.done, later.done]).toEqual([true, true, false]);
    expect(waits.waiting).toBe(1);
  });

  it('another request executing does not wake it', async () => {
    waits = new StatusWaits();
    const held = track(waits.forRequest(submitter, 1, 60_000));
    waits.executed(1, [{ submitter, seq: 2 }]);
    waits.certified(1);
    await settle();
    expect(held.done).toBe(false);
    expect(waits.waiting).toBe(1);
  });

  it('answers after the timeout and forgets the waiter', async () => {
    waits = new StatusWaits();
    await waits.forRequest(submitter, 1, 5);
    expect(waits.waiting).toBe(0);
    // Nothing left to move or wake: a later execution finds no waiter.
    waits.executed(1, [{ submitter, seq: 1 }]);
    waits.certified(1);
    const batchWaiter = waits.forBatch(2, 5);
    await batchWaiter;
    expect(waits.waiting).toBe(0);
  });

  it('holds at most waitersMax; more are answered at once (null)', async () => {
    waits = new StatusWaits(2);
    const a = track(waits.forRequest(submitter, 1, 60_000));
    const b = track(waits.forBatch(1, 60_000));
    expect(waits.forRequest(submitter, 3, 60_000)).toBeNull();
    expect(waits.waiting).toBe(2);
    waits.executed(1, [{ submitter, seq: 1 }]);
    waits.certified(1);
    await settle();
    expect([a.done, b.done]).toEqual([true, true]);
    expect(waits.forRequest(submitter, 3, 60_000)).not.toBeNull();
  });
});
