import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, type Ed25519KeyPair, type Rng, systemClock } from '@suyuan/shared';
import { DeviceCredentials } from '../broker/device-credentials.ts';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import type { ExternalBrokerIngest } from '../broker/external-broker.ts';
import { IngestPipeline } from '../ingest/ingest-pipeline.ts';
import type { IngestSource } from '../ingest/ingest-source.ts';
import { IngestStore } from '../ingest/ingest-store.ts';
import { tagEventRules } from '../ingest/tag-events.ts';
import type { MetricsServer } from '../ops/metrics-server.ts';
import { OutboxStore } from '../outbox/outbox-store.ts';
import { defaultUploaderOptions, Uploader, type UploaderLog } from '../outbox/uploader.ts';
import { RecentTags, tapTagReads } from '../ui/recent-tags.ts';
import { startUiServer, type UiServer } from '../ui/ui-server.ts';
import type { GatewayConfig } from './config.ts';
import { type Db, openDatabase } from './database.ts';

/**
 * One gateway process: the ingest pipeline and outbox over `gateway.db`, the broker (embedded, with
 * its sessions in `broker.db`, or an external one), the uploader, and any extra ingest sources
 * (the serial readers). Everything is started in dependency order and stopped in reverse.
 */
export interface GatewayDeps {
  key: Ed25519KeyPair;
  clock?: Clock;
  rng: Rng;
  sources?: IngestSource[];
  /** Structured log for the uploader's retries and replica changes (the CLI passes its pino logger). */
  log?: UploaderLog;
}

const maintenanceIntervalMs = 60_000;

export const gatewayFiles = (dataDir: string) => ({
  gatewayDb: join(dataDir, 'gateway.db'),
  brokerDb: join(dataDir, 'broker.db'),
});

export class Gateway {
  readonly db: Db;
  readonly brokerDb: Db;
  readonly outbox: OutboxStore;
  readonly ingestStore: IngestStore;
  readonly ingest: IngestPipeline;
  readonly credentials: DeviceCredentials;
  readonly uploader: Uploader;
  broker: EmbeddedBroker | null = null;
  external: ExternalBrokerIngest | null = null;
  /** Tags the readers saw lately, for the farmer UI's harvest form. */
  readonly recentTags = new RecentTags();
  uiServer: UiServer | null = null;
  metricsServer: MetricsServer | null = null;
  private readonly sources: IngestSource[];
  private maintenanceTimer: NodeJS.Timeout | undefined;

  private constructor(config: GatewayConfig, deps: GatewayDeps) {
    const clock = deps.clock ?? systemClock;
    mkdirSync(config.dataDir, { recursive: true });
    const files = gatewayFiles(config.dataDir);
    this.db = openDatabase(files.gatewayDb);
    this.brokerDb = openDatabase(files.brokerDb);
    this.outbox = new OutboxStore(this.db, clock, config.outboxLimits);
    this.ingestStore = new IngestStore(this.db);
    this.credentials = new DeviceCredentials(this.db);
    this.ingest = new IngestPipeline(
      this.db,
      this.ingestStore,
      this.outbox,
      deps.key,
      clock,
      config.ingestLimits,
      tagEventRules(config.rfidReaders),
    );
    this.uploader = new Uploader(this.outbox, clock, deps.rng, {
      ...defaultUploaderOptions,
      cloudUrls: config.cloud.urls,
      replicaPublicKeys: config.replicaKeys,
      ...(config.cloud.replicaGroups ? { replicaGroups: config.cloud.replicaGroups } : {}),
      inflightMax: config.cloud.inflightMax,
      requestsPerSecondMax: config.cloud.requestsPerSecondMax,
      client: { ...defaultUploaderOptions.client, requestTimeoutMs: config.cloud.requestTimeoutMs },
      ...(deps.log ? { log: deps.log } : {}),
    });
    // A committed flush has new outbox rows: send them now, not at the next idle poll.
    this.ingest.afterFlush = () => this.uploader.wake();
    this.sources = (deps.sources ?? []).map((source) => tapTagReads(source, this.recentTags));
  }

  /** Opens the databases without starting any network side (for the CLI's status and device commands). */
  static open(config: GatewayConfig, deps: GatewayDeps): Gateway {
    return new Gateway(config, deps);
  }

  static async start(config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
    const gateway = new Gateway(config, deps);
    const clock = deps.clock ?? systemClock;
    const deps2 = {
      sessionDb: gateway.brokerDb,
      credentials: gateway.credentials,
      sink: gateway.ingest,
      clock,
    };
    if (config.mqtt.mode === 'embedded') {
      gateway.broker = await EmbeddedBroker.start(config.mqtt, deps2);
    } else {
      // Loaded only in this mode: mqtt.js costs memory an embedded-broker gateway does not need.
      const { ExternalBrokerIngest } = await import('../broker/external-broker.ts');
      gateway.external = await ExternalBrokerIngest.start(config.mqtt, gateway.ingest, clock);
    }
    for (const source of gateway.sources) await source.start(gateway.ingest);
    gateway.uploader.start();
    if (config.ui) {
      const { db, outbox, recentTags } = gateway;
      gateway.uiServer = await startUiServer(config.ui, { db, outbox, key: deps.key, clock, recentTags });
    }
    if (config.metrics) {
      // Loaded only when configured: prom-client costs memory a gateway without metrics does not need.
      const { createGatewayMetrics } = await import('../ops/gateway-metrics.ts');
      const { startMetricsServer } = await import('../ops/metrics-server.ts');
      const registry = createGatewayMetrics(gateway, clock);
      gateway.metricsServer = await startMetricsServer(registry, config.metrics.host, config.metrics.port);
    }
    gateway.maintenanceTimer = setInterval(() => gateway.maintain(clock, config), maintenanceIntervalMs);
    gateway.maintenanceTimer.unref();
    return gateway;
  }

  /** Keeps the ingest tables bounded: quarantine by rows (evictions counted), dedupe memory by age. */
  maintain(clock: Clock, config: GatewayConfig): void {
    this.ingestStore.trimQuarantine(config.ingestLimits.quarantineRowsMax);
    this.ingestStore.pruneSeen(clock.now() - config.ingestLimits.dedupeWindowMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    if (this.metricsServer) await this.metricsServer.close();
    if (this.uiServer) await this.uiServer.close();
    for (const source of this.sources) await source.stop();
    if (this.broker) await this.broker.close();
    if (this.external) await this.external.close();
    this.ingest.flush();
    await this.uploader.stop();
    this.db.close();
    this.brokerDb.close();
  }
}
