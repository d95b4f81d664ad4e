import { assert } from '@suyuan/shared';

/** One frame: its bytes, or pieces written in order (a pre-prepare's request bodies by reference). */
export type QueuedFrame = Uint8Array | readonly Uint8Array[];

export function frameBytes(frame: QueuedFrame): number {
  if (frame instanceof Uint8Array) return frame.length;
  let bytes = 0;
  for (const piece of frame) bytes += piece.length;
  return bytes;
}

/**
 * A bounded FIFO of encoded frames for one peer. When full, the oldest frame is dropped and counted:
 * a peer that is down or slow must not grow our memory, and PBFT recovers lost messages by view
 * change and state transfer, so the newest messages are the ones worth keeping.
 */
export class SendQueue {
  private frames: QueuedFrame[] = [];
  private head = 0;
  private bytes = 0;
  /** Frames dropped because the queue was full. */
  dropped = 0;
  private readonly framesMax: number;
  private readonly bytesMax: number;

  constructor(limits: { sendQueueFramesMax: number; sendQueueBytesMax: number }) {
    assert(limits.sendQueueFramesMax > 0, 'sendQueueFramesMax must be positive');
    this.framesMax = limits.sendQueueFramesMax;
    this.bytesMax = limits.sendQueueBytesMax;
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  push(frame: QueuedFrame): void {
    this.frames.push(frame);
    this.bytes += frameBytes(frame);
    while (this.length > 1 && (this.length > this.framesMax || this.bytes > this.bytesMax)) {
      this.shift();
      this.dropped++;
    }
  }

  shift(): QueuedFrame | undefined {
    if (this.head >= this.frames.length) return undefined;
    const frame = this.frames[this.head]!;
    this.head++;
    this.bytes -= frameBytes(frame);
    // Compact now and then instead of Array.shift on every call (O(n) each).
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  clear(): void {
    this.frames = [];
    this.head = 0;
    this.bytes = 0;
  }
}
