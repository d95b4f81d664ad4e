import { InputError } from '@suyuan/shared';
import type { ReconnectLimits } from './backoff.ts';
import { defaultReconnectLimits } from './backoff.ts';
import { defaultFrameBytesMax } from './framing.ts';
import { defaultHeartbeatLimits, type HeartbeatLimits } from './heartbeat.ts';

/** Every bound of the replica-to-replica transport, unit last. */
export interface TransportLimits extends ReconnectLimits, HeartbeatLimits {
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
  ...defaultHeartbeatLimits,
  frameBytesMax: defaultFrameBytesMax,
  sendQueueFramesMax: 4096,
  sendQueueBytesMax: 64 * 1024 * 1024,
  socketBufferBytesMax: 8 * 1024 * 1024,
  handshakeTimeoutMs: 2_000,
  malformedFramesMax: 16,
};

/** Refuses limits that would make every idle link look dead (InputError 'config.invalid'). */
export function checkTransportLimits(limits: TransportLimits): void {
  if (limits.peerSilenceMsMax <= 2 * limits.heartbeatIntervalMs) {
    throw new InputError(
      'config.invalid',
      `transport.peerSilenceMsMax (${limits.peerSilenceMsMax}) must exceed two heartbeat intervals (2 × ${limits.heartbeatIntervalMs} ms)`,
    );
  }
}

/** Why inputs or outputs were dropped, by reason: reported in /v1/status. */
export type DropCounters = Record<string, number>;

export function countDrop(counters: DropCounters, reason: string, by = 1): void {
  counters[reason] = (counters[reason] ?? 0) + by;
}
