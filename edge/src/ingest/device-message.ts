import { z } from 'zod';
import { BOOT_EPOCH_MAX, DEVICE_SEQ_LIMIT } from './ingest-limits.ts';

/**
 * What a sensor node publishes. Topic `suyuan/v1/<deviceId>/readings`, QoS 1, JSON:
 *
 *   {"boot": 7, "readings": [{"seq": 42, "time": 1750000000000, "type": "Temperature",
 *                             "value": 21.5, "uom": "CEL"}, ...]}
 *
 * `boot` is the device's boot counter (kept in its flash); it makes (deviceId, boot, seq) unique
 * across reboots that reset `seq`. Devices without one omit it and the gateway detects resets.
 * Field-level checks (type, unit, range, time) happen per reading in `normalise.ts`, so one bad
 * reading is quarantined on its own and its neighbours still count.
 */
export const deviceReadingSchema = z
  .object({
    seq: z
      .number()
      .int()
      .min(0)
      .max(DEVICE_SEQ_LIMIT - 1),
    time: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    type: z.string().min(1).max(128),
    value: z.number(),
    uom: z.string().min(1).max(8),
  })
  .strict();
export type DeviceReading = z.infer<typeof deviceReadingSchema>;

export function deviceMessageSchema(readingsMax: number) {
  return z
    .object({
      boot: z.number().int().min(0).max(BOOT_EPOCH_MAX).optional(),
      readings: z.array(z.unknown()).min(1).max(readingsMax),
    })
    .strict();
}

export const TOPIC_PREFIX = 'suyuan/v1/';

/** `suyuan/v1/<deviceId>/<channel>` → its parts, or null for any other topic. */
export function parseDeviceTopic(topic: string): { deviceId: string; channel: string } | null {
  if (!topic.startsWith(TOPIC_PREFIX)) return null;
  const rest = topic.slice(TOPIC_PREFIX.length).split('/');
  if (rest.length !== 2 || !rest[0] || !rest[1]) return null;
  return { deviceId: rest[0], channel: rest[1] };
}

export const readingsTopic = (deviceId: string): string => `${TOPIC_PREFIX}${deviceId}/readings`;
export const commandsTopic = (deviceId: string): string => `${TOPIC_PREFIX}${deviceId}/commands`;

/** A message's text, decoded from a view of its bytes (not from a copy of them). */
export function payloadText(payload: Uint8Array | string): string {
  if (typeof payload === 'string') return payload;
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return bytes.toString('utf8');
}
