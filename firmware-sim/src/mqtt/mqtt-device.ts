import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DeviceMessageOut } from './sensor-node.ts';

/**
 * The network side of a simulated node: an mqtt.js client with a persistent session (clean=false)
 * publishing QoS 1 to `suyuan/v1/<deviceId>/readings`. mqtt.js keeps unacknowledged publishes and
 * resends them after a reconnect, as a real node's firmware would. `acked` records every reading
 * the broker acknowledged, by `(deviceId, boot, seq)`, which is what tests compare against the cloud.
 */
export interface MqttDeviceOptions {
  url: string;
  deviceId: string;
  secret: string;
  /** How long to wait before reconnecting after a refusal or a lost connection. */
  reconnectPeriodMs?: number;
}

/** How often one message is offered before the node gives up on it, and the pause between tries. */
const publishAttemptsMax = 50;
const resendDelayMs = 200;

export interface AckedReading {
  deviceId: string;
  boot: number | undefined;
  seq: number;
}

export class MqttDevice {
  readonly deviceId: string;
  readonly client: MqttClient;
  readonly acked: AckedReading[] = [];
  published = 0;
  inFlight = 0;
  /** Publishes sent again after mqtt.js reported a failure. */
  resent = 0;
  private closing = false;

  constructor(options: MqttDeviceOptions, extra: IClientOptions = {}) {
    this.deviceId = options.deviceId;
    this.client = mqtt.connect(options.url, {
      clientId: options.deviceId,
      username: options.deviceId,
      password: options.secret,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: options.reconnectPeriodMs ?? 200,
      connectTimeout: 5000,
      ...extra,
    });
    // Errors (refused connect, closed socket) are retried by mqtt.js; they are not fatal here.
    this.client.on('error', () => {});
  }

  get topic(): string {
    return `suyuan/v1/${this.deviceId}/readings`;
  }

  connected(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve) => this.client.once('connect', () => resolve()));
  }

  /**
   * Publishes one message (QoS 1); resolves when the broker acknowledged it, however many reconnects
   * later. If mqtt.js gives up on a send (it fails publishes caught in a connection drop), the node
   * sends the same message again, as firmware that keeps unacknowledged readings would; the gateway
   * deduplicates by (device, boot, seq), so a repeat can never count twice.
   */
  publish(message: DeviceMessageOut): Promise<void> {
    this.published++;
    this.inFlight++;
    const payload = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const attempt = (n: number) =>
        this.client.publish(this.topic, payload, { qos: 1 }, (error) => {
          if (error && n < publishAttemptsMax && !this.closing) {
            this.resent++;
            setTimeout(() => attempt(n + 1), resendDelayMs);
            return;
          }
          this.inFlight--;
          if (error) {
            reject(error);
            return;
          }
          for (const r of message.readings)
            this.acked.push({ deviceId: this.deviceId, boot: message.boot, seq: r.seq });
          resolve();
        });
      attempt(1);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.endAsync(true);
  }
}
