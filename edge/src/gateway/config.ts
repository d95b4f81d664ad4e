import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, limits, publicKeyFromText } from '@suyuan/shared';
import { z } from 'zod';
import { defaultBrokerOptions } from '../broker/embedded-broker.ts';
import { defaultIngestLimits } from '../ingest/ingest-limits.ts';
import { rfidReaderConfigSchema } from '../ingest/tag-events.ts';
import { logLevels } from '../ops/logger.ts';
import { defaultOutboxLimits } from '../outbox/outbox-limits.ts';
import { defaultUploaderOptions } from '../outbox/uploader.ts';
import { uiConfigSchema } from '../ui/ui-config.ts';

/**
 * The gateway's config file (JSON), validated with zod so a typo names its field and line of
 * thought instead of failing later. Relative paths are relative to the config file.
 */
const positive = z.number().int().positive();

const embeddedMqtt = z
  .object({
    mode: z.literal('embedded'),
    host: z.string().default(defaultBrokerOptions.host),
    port: z.number().int().min(0).max(65_535).default(defaultBrokerOptions.port),
    packetBytesMax: positive.default(defaultBrokerOptions.packetBytesMax),
    publishRate: z
      .object({ ratePerSecond: z.number().positive(), burst: positive, devicesMax: positive })
      .strict()
      .default(defaultBrokerOptions.publishRate),
  })
  .strict();

const externalMqtt = z
  .object({
    mode: z.literal('external'),
    url: z.string().regex(/^mqtts?:\/\//, 'an mqtt:// or mqtts:// URL'),
    clientId: z.string().min(1).max(64).default('suyuan-gateway'),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    name: z.string().min(1).max(200),
    participantId: z.string().min(1).max(128),
    dataDir: z.string().min(1),
    keyFile: z.string().min(1),
    mqtt: z.discriminatedUnion('mode', [embeddedMqtt, externalMqtt]),
    cloud: z
      .object({
        urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
        replicaPublicKeys: z.array(z.string()).min(1),
        /** Grouped PBFT: the replicas' layout (global ids per group) receipts are checked under. */
        replicaGroups: z
          .array(z.array(z.number().int().min(0)).min(1))
          .min(1)
          .optional(),
        requestTimeoutMs: positive.default(defaultUploaderOptions.client.requestTimeoutMs),
        inflightMax: positive.default(defaultUploaderOptions.inflightMax),
        requestsPerSecondMax: z.number().positive().default(defaultUploaderOptions.requestsPerSecondMax),
      })
      .strict(),
    outbox: z
      .object({
        pendingBytesMax: positive,
        criticalReserveBytes: z.number().int().min(0),
        submissionAgeMsMax: positive,
        retryDelayMsBase: positive,
        retryDelayMsMax: positive,
        commitPollDelayMs: positive,
        committedRetentionMs: positive,
      })
      .partial()
      .strict()
      .default({}),
    ingest: z
      .object({
        readingFutureMsMax: positive,
        readingAgeMsMax: positive,
        readingsPerMessageMax: positive,
        /** 256 for replicas older than session 5 (they refuse bigger reading batches). */
        readingsPerSubmissionMax: positive.max(limits.batchReadingsMax),
      })
      .partial()
      .strict()
      .default({}),
    /** RFID readers whose SGTIN reads become EPCIS OBSERVE events at their read point (ingest/tag-events.ts). */
    rfidReaders: z.array(rfidReaderConfigSchema).max(64).default([]),
    /** The farmer UI (edge/src/ui); absent: no UI listener. */
    ui: uiConfigSchema.optional(),
    /** Prometheus `GET /metrics` listener (edge/src/ops); absent: none. */
    metrics: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65_535) })
      .strict()
      .optional(),
    logLevel: z.enum(logLevels).default('info'),
  })
  .strict();

export type GatewayConfigFile = z.infer<typeof gatewayConfigSchema>;

export interface GatewayConfig extends GatewayConfigFile {
  replicaKeys: Uint8Array[];
  outboxLimits: typeof defaultOutboxLimits;
  ingestLimits: typeof defaultIngestLimits;
}

/** Validates a parsed config; `baseDir` resolves relative paths. Throws InputError('config.invalid'). */
export function parseGatewayConfig(raw: unknown, baseDir: string): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError('config.invalid', `config is invalid:\n${lines.join('\n')}`);
  }
  const file = result.data;
  const replicaKeys = file.cloud.replicaPublicKeys.map((text, i) => {
    try {
      return publicKeyFromText(text);
    } catch {
      throw new InputError(
        'config.invalid',
        `config is invalid:\n  cloud.replicaPublicKeys.${i}: not an Ed25519 key`,
      );
    }
  });
  return {
    ...file,
    dataDir: resolve(baseDir, file.dataDir),
    keyFile: resolve(baseDir, file.keyFile),
    replicaKeys,
    outboxLimits: { ...defaultOutboxLimits, ...stripUndefined(file.outbox) },
    ingestLimits: { ...defaultIngestLimits, ...stripUndefined(file.ingest) },
  };
}

export function loadGatewayConfig(path: string): GatewayConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError('config.invalid', `cannot read config ${path}: ${(error as Error).message}`);
  }
  return parseGatewayConfig(raw, dirname(resolve(path)));
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
