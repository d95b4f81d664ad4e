import type { ReconnectLimits } from './backoff.ts';
import { defaultReconnectLimits } from './backoff.ts';
import { defaultFrameBytesMax } from './framing.ts';

/** Every bound of the replica-to-replica transport, unit last. */
export interface TransportLimits extends ReconnectLimits {
  /** Largest frame sent or accepted; a bigger length prefix closes the connection. */
  frameBytesMax: number;
  /** Frames queued per peer while it is down or slow; the oldest is dropped beyond this. */
  sendQueueFramesMax: number;
  /** Bytes queued per peer, same policy. */
  sendQueueBytesMax: number;
  /** Bytes handed to the socket but not yet flushed before we stop writing and wait for 'drain'. */
  socketBufferBytesMax: number;
  /** A handshake that has not finished in this time is abandoned. */
  handshakeTimeoutMs: number;
  /** Undecodable frames tolerated on one connection before it is closed. */
  malformedFramesMax: number;
}

export const defaultTransportLimits: TransportLimits = {
  ...defaultReconnectLimits,
  frameBytesMax: defaultFrameBytesMax,
  sendQueueFramesMax: 4096,
  sendQueueBytesMax: 64 * 1024 * 1024,
  socketBufferBytesMax: 8 * 1024 * 1024,
  handshakeTimeoutMs: 2_000,
  malformedFramesMax: 16,
};

/** Why inputs or outputs were dropped, by reason: reported in /v1/status. */
export type DropCounters = Record<string, number>;

export function countDrop(counters: DropCounters, reason: string, by = 1): void {
  counters[reason] = (counters[reason] ?? 0) + by;
}
