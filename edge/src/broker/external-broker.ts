import type { Clock } from '@suyuan/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { parseDeviceTopic, TOPIC_PREFIX } from '../ingest/device-message.ts';
import type { IngestSink } from '../ingest/ingest-source.ts';

/**
 * External broker mode (Mosquitto, EMQX): the gateway is a subscriber with a persistent session
 * (clean=false, QoS 1) on `suyuan/v1/+/readings`. mqtt.js sends our PUBACK to the broker only after
 * `handleMessage` calls back, and we call back after the ingest commit, so the broker keeps each
 * message queued for us until it is on our disk. Device credentials and ACLs are the external
 * broker's job in this mode (docs/edge.md shows a Mosquitto configuration).
 */
export interface ExternalBrokerOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
}

export class ExternalBrokerIngest {
  private readonly client: MqttClient;
  messages = 0;
  refused = 0;

  private constructor(client: MqttClient) {
    this.client = client;
  }

  static async start(
    options: ExternalBrokerOptions,
    sink: IngestSink,
    _clock: Clock,
  ): Promise<ExternalBrokerIngest> {
    const client = mqtt.connect(options.url, {
      clientId: options.clientId,
      clean: false,
      reconnectPeriod: 500,
      protocolVersion: 4,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
    });
    const external = new ExternalBrokerIngest(client);
    client.handleMessage = (packet, callback) => external.handle(packet, callback, sink);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(`${TOPIC_PREFIX}+/readings`, { qos: 1 });
    return external;
  }

  private handle(packet: mqtt.Packet, callback: (error?: Error) => void, sink: IngestSink): void {
    if (packet.cmd !== 'publish') {
      callback();
      return;
    }
    const parsed = parseDeviceTopic(packet.topic);
    if (parsed?.channel !== 'readings') {
      callback();
      return;
    }
    this.messages++;
    // Handed on as it is: the pipeline only reads it (a copy per message cost a fresh Buffer each).
    const payload = packet.payload;
    sink.deviceMessage({ deviceId: parsed.deviceId, source: 'mqtt-external', payload }).then(
      () => callback(),
      () => {
        // Not acknowledged: drop the connection so the broker redelivers after we reconnect.
        this.refused++;
        this.client.stream.destroy();
      },
    );
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
