import { DEVICE_SEQ_LIMIT } from './ingest-limits.ts';

/**
 * Per-device sequence bookkeeping. The ledger seq of a reading is `epoch · 2^32 + deviceSeq`, where
 * the epoch is the device's boot counter when it sends one, or a gateway-kept counter bumped when a
 * reset is detected: a seq at or below the highest seen, stamped later than anything seen, is a new
 * life of the device rather than a retransmission (a retransmission repeats an old time). Ledger
 * seqs therefore never collide across reboots and stay increasing per device. Duplicates are found
 * by the caller's (device, ledger seq) set, not here; this only names epochs and reports gaps.
 */
export interface DeviceSeqState {
  epoch: number;
  /** Highest device seq seen in the current epoch, -1 before the first. */
  highSeq: number;
  /** Latest reading time seen from the device. */
  lastTimeMs: number;
  resets: number;
  gaps: number;
}

export interface SeqDecision {
  ledgerSeq: number;
  state: DeviceSeqState;
  /** Set when this reading skipped device seqs (after → next, in ledger seqs). */
  gap: { after: number; next: number } | null;
  reset: boolean;
}

export const freshSeqState = (): DeviceSeqState => ({
  epoch: 0,
  highSeq: -1,
  lastTimeMs: -1,
  resets: 0,
  gaps: 0,
});

export function ledgerSeq(epoch: number, deviceSeq: number): number {
  return epoch * DEVICE_SEQ_LIMIT + deviceSeq;
}

export function decideSeq(
  previous: DeviceSeqState,
  boot: number | undefined,
  deviceSeq: number,
  timeMs: number,
): SeqDecision {
  // Written out rather than spread: this runs once per reading, and a fixed-shape literal is cheaper.
  const s: DeviceSeqState = {
    epoch: previous.epoch,
    highSeq: previous.highSeq,
    lastTimeMs: previous.lastTimeMs,
    resets: previous.resets,
    gaps: previous.gaps,
  };
  let reset = false;
  if (boot !== undefined && boot !== s.epoch) {
    if (boot < s.epoch) {
      // A retransmission from an earlier life: it keeps its own epoch and moves nothing.
      return { ledgerSeq: ledgerSeq(boot, deviceSeq), state: s, gap: null, reset: false };
    }
    reset = s.highSeq >= 0;
    s.epoch = boot;
    s.highSeq = -1;
  } else if (boot === undefined && s.highSeq >= 0 && deviceSeq <= s.highSeq && timeMs > s.lastTimeMs) {
    reset = true;
    s.epoch += 1;
    s.highSeq = -1;
  }
  if (reset) s.resets += 1;
  let gap: SeqDecision['gap'] = null;
  if (s.highSeq >= 0 && deviceSeq > s.highSeq + 1) {
    gap = { after: ledgerSeq(s.epoch, s.highSeq), next: ledgerSeq(s.epoch, deviceSeq) };
    s.gaps += 1;
  }
  if (deviceSeq > s.highSeq) s.highSeq = deviceSeq;
  if (timeMs > s.lastTimeMs) s.lastTimeMs = timeMs;
  return { ledgerSeq: ledgerSeq(s.epoch, deviceSeq), state: s, gap, reset };
}
