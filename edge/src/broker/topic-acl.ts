import { parseDeviceTopic } from '../ingest/device-message.ts';

/**
 * The topic ACL, as pure functions. A device publishes only under its own prefix and only on the
 * channels it has (`readings`, `status`); it subscribes only to its own `commands`. Nobody publishes
 * to `$SYS`, and wildcards never reach another device's topics.
 */
export const devicePublishChannels: readonly string[] = ['readings', 'status'];
export const deviceSubscribeChannels: readonly string[] = ['commands'];

export function canPublish(deviceId: string, topic: string): boolean {
  if (topic.startsWith('$')) return false;
  const parsed = parseDeviceTopic(topic);
  return parsed !== null && parsed.deviceId === deviceId && devicePublishChannels.includes(parsed.channel);
}

export function canSubscribe(deviceId: string, topicFilter: string): boolean {
  if (topicFilter.startsWith('$') || topicFilter.includes('+') || topicFilter.includes('#')) return false;
  const parsed = parseDeviceTopic(topicFilter);
  return parsed !== null && parsed.deviceId === deviceId && deviceSubscribeChannels.includes(parsed.channel);
}
