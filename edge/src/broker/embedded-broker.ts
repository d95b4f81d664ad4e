import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import type { Clock } from '@suyuan/shared';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Db } from '../gateway/database.ts';
import { commandsTopic, parseDeviceTopic } from '../ingest/device-message.ts';
import type { IngestSink } from '../ingest/ingest-source.ts';
import type { DeviceCredentials } from './device-credentials.ts';
import { guardedConnection } from './packet-size-guard.ts';
import { RateLimiter, type RateLimits } from './rate-limiter.ts';
import { SqlitePersistence } from './sqlite-persistence.ts';
import { canPublish, canSubscribe } from './topic-acl.ts';

/**
 * The embedded MQTT broker (aedes over TCP). The durability rule lives in `authorizePublish`: aedes
 * writes a QoS 1 PUBACK only after that hook calls back, so the hook hands the message to the ingest
 * pipeline and calls back when the pipeline's SQLite transaction has committed. A refusal (ACL,
 * rate, full outbox) calls back with an error: no PUBACK, the connection closes, and the device
 * retransmits after reconnecting (MQTT 3.1.1 has no negative acknowledgement).
 */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet (remaining length) accepted; a larger one closes the connection. */
  packetBytesMax: number;
  /** Per-device PUBLISH rate. */
  publishRate: RateLimits;
}

export const defaultBrokerOptions: EmbeddedBrokerOptions = {
  host: '0.0.0.0',
  port: 1883,
  packetBytesMax: 64 * 1024,
  publishRate: { ratePerSecond: 50, burst: 200, devicesMax: 100_000 },
};

export interface BrokerStats {
  connected: number;
  authFailures: number;
  aclDenied: number;
  rateRefused: number;
  ingestRefused: number;
  messages: number;
}

export interface BrokerDeps {
  sessionDb: Db;
  credentials: DeviceCredentials;
  sink: IngestSink;
  clock: Clock;
}

const authError = (message: string, returnCode: number): AuthenticateError =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

export class EmbeddedBroker {
  readonly aedes: Aedes;
  private readonly server: Server;
  readonly stats: BrokerStats = {
    connected: 0,
    authFailures: 0,
    aclDenied: 0,
    rateRefused: 0,
    ingestRefused: 0,
    messages: 0,
  };

  private constructor(aedes: Aedes, server: Server) {
    this.aedes = aedes;
    this.server = server;
  }

  static async start(options: EmbeddedBrokerOptions, deps: BrokerDeps): Promise<EmbeddedBroker> {
    const limiter = new RateLimiter(deps.clock, options.publishRate);
    const persistence = new SqlitePersistence(deps.sessionDb);
    const aedes = new Aedes({ persistence, heartbeatInterval: 60_000, maxClientsIdLength: 64 });
    await aedes.listen();
    const server = createServer((socket) => {
      aedes.handle(guardedConnection(socket, options.packetBytesMax));
    });
    const broker = new EmbeddedBroker(aedes, server);
    broker.installHooks(deps, limiter);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    return broker;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private installHooks(deps: BrokerDeps, limiter: RateLimiter): void {
    const { stats } = this;
    this.aedes.authenticate = (client, username, password, done) => {
      if (!username || !password || username !== client.id) {
        stats.authFailures++;
        done(authError('client id must equal the device id user name', 4), false);
        return;
      }
      deps.credentials.verify(username, password.toString('utf8')).then(
        (ok) => {
          if (!ok) stats.authFailures++;
          done(ok ? null : authError('bad device id or secret', 4), ok);
        },
        () => done(authError('credential check failed', 3), false),
      );
    };
    this.aedes.authorizePublish = (client, packet, done) =>
      this.authorizePublish(client, packet, done, deps, limiter);
    this.aedes.authorizeSubscribe = (client, sub, done) => {
      if (canSubscribe(client.id, sub.topic)) done(null, sub);
      else {
        stats.aclDenied++;
        done(null, null); // SUBACK 0x80: refused, connection kept
      }
    };
    this.aedes.on('client', () => stats.connected++);
    this.aedes.on('clientDisconnect', () => stats.connected--);
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
    deps: BrokerDeps,
    limiter: RateLimiter,
  ): void {
    // client is null only for the will of a client that is gone; it may go where that client could.
    const deviceId = client?.id ?? (packet as { clientId?: string }).clientId ?? '';
    if (!canPublish(deviceId, packet.topic)) {
      this.stats.aclDenied++;
      done(new Error(`${deviceId} may not publish to ${packet.topic}`));
      return;
    }
    if (client && !limiter.take(deviceId)) {
      this.stats.rateRefused++;
      done(new Error(`${deviceId} over its publish rate`));
      return;
    }
    if (parseDeviceTopic(packet.topic)?.channel !== 'readings' || !client) {
      done(null);
      return;
    }
    this.stats.messages++;
    // Handed on as it is: the pipeline only reads it (a copy per message cost a fresh Buffer each).
    const payload = packet.payload;
    deps.sink.deviceMessage({ deviceId, source: 'mqtt', payload }).then(
      () => done(null),
      (error: unknown) => {
        this.stats.ingestRefused++;
        done(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /** Sends a command to a device's persistent session (delivered when it next connects, if offline). */
  publishCommand(deviceId: string, payload: string): Promise<void> {
    const packet = {
      cmd: 'publish',
      topic: commandsTopic(deviceId),
      payload: Buffer.from(payload),
      qos: 1,
      retain: false,
      dup: false,
    } as PublishPacket;
    return new Promise((resolve, reject) =>
      this.aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
