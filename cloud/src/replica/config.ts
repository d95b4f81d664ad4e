import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, publicKeyFromText, replicaSetId } from '@suyuan/shared';
import { z } from 'zod';
import { assignGroups, type GroupLayout, validateLayout } from '../gpbft/layout.ts';
import { logLevels } from '../ops/logger.ts';

/**
 * The replica config file (JSON). Paths are relative to the config file's directory. `peers` lists
 * every replica of the cluster, this one included, with its public key: replica ids are the
 * positions in the key list the core uses, so ids must be exactly 0..n-1.
 */
const port = z.number().int().min(0).max(65_535);
const positiveInt = z.number().int().min(1);

const peerSchema = z.strictObject({
  id: z.number().int().min(0),
  host: z.string().min(1),
  port: port.min(1),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a public key is 43 base64url characters'),
});

const consensusOverridesSchema = z.strictObject({
  checkpointInterval: positiveInt,
  watermarkWindow: positiveInt,
  batchRequestsMax: positiveInt,
  batchBytesMax: positiveInt,
  batchDelayTicks: z.number().int().min(0),
  viewChangeTimeoutTicks: positiveInt,
  viewChangeTimeoutTicksMax: positiveInt,
  pendingRequestsMax: positiveInt,
  inflightBatchesMax: positiveInt,
  quorum: positiveInt,
  retransmitTicks: positiveInt,
  fetchTimeoutTicks: positiveInt,
  fetchBatchesMax: positiveInt,
});

const transportSchema = z.strictObject({
  frameBytesMax: positiveInt,
  sendQueueFramesMax: positiveInt,
  sendQueueBytesMax: positiveInt,
  socketBufferBytesMax: positiveInt,
  handshakeTimeoutMs: positiveInt,
  malformedFramesMax: z.number().int().min(0),
  reconnectDelayMsMin: positiveInt,
  reconnectDelayMsMax: positiveInt,
  heartbeatIntervalMs: positiveInt,
  peerSilenceMsMax: positiveInt,
});

/** PEM files (paths relative to the config): this replica's certificate and key, and the cluster CA. */
const tlsSchema = z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1) });

/**
 * Grouped PBFT layout (mode 'gpbft'): a group count (members dealt from a public seed; default seed
 * `cluster:<replica set id>`), `{ count, seed }`, or explicit membership `{ members: [[ids], ...] }`.
 */
const groupsSchema = z.union([
  positiveInt,
  z.strictObject({ count: positiveInt, seed: z.string().min(1).optional() }),
  z.strictObject({ members: z.array(z.array(z.number().int().min(0))).min(1) }),
]);

const gpbftSchema = z.strictObject({
  representativeTimeoutTicks: positiveInt,
  decisionsPerMessageMax: positiveInt,
});

const driverSchema = z.strictObject({
  tickMs: positiveInt,
  fetchBatchesMax: positiveInt,
  fetchReplyBytesMax: positiveInt,
  pendingTrackedMax: positiveInt,
  readyRoundsMax: positiveInt,
  commitWaitersMax: positiveInt,
});

export const replicaConfigSchema = z
  .strictObject({
    id: z.number().int().min(0),
    keyFile: z.string().min(1),
    dataDir: z.string().min(1),
    listen: z.strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      peerPort: port,
      httpHost: z.string().min(1).default('127.0.0.1'),
      httpPort: port,
    }),
    peers: z.array(peerSchema).min(4, 'a cluster needs at least 4 replicas (n = 3f + 1)'),
    app: z.enum(['log', 'ledger']).default('log'),
    requestBytesMax: positiveInt.optional(),
    seed: z.number().int().optional(),
    consensus: consensusOverridesSchema.partial().default({}),
    transport: transportSchema.partial().default({}),
    driver: driverSchema.partial().default({}),
    /** Peer transport (mutual TLS, cluster CA) and HTTP API over TLS; absent: plaintext (loopback dev). */
    tls: tlsSchema.optional(),
    logLevel: z.enum(logLevels).default('info'),
    /** Consensus: flat PBFT, or grouped PBFT over `groups` (docs/replica.md "Grouped PBFT"). */
    mode: z.enum(['pbft', 'gpbft']).default('pbft'),
    groups: groupsSchema.optional(),
    gpbft: gpbftSchema.partial().default({}),
  })
  .superRefine((config, ctx) => {
    config.peers.forEach((peer, index) => {
      if (peer.id !== index) {
        ctx.addIssue({
          code: 'custom',
          path: ['peers', index, 'id'],
          message: `expected id ${index} (ids are 0..n-1 in order)`,
        });
      }
    });
    if (config.id >= config.peers.length) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `no peer with id ${config.id} in peers` });
    }
    if (config.mode === 'gpbft' && config.groups === undefined) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: "mode 'gpbft' needs groups" });
    }
    if (config.mode === 'pbft' && config.groups !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: "groups needs mode 'gpbft'" });
    }
  });

export type ReplicaConfig = z.infer<typeof replicaConfigSchema>;

/** Zod's optional fields are `T | undefined`; overrides spread onto defaults must not carry undefined. */
export function definedOnly<T extends object>(value: { [K in keyof T]?: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface LoadedConfig extends ReplicaConfig {
  replicaPublicKeys: Uint8Array[];
  /** Mode 'gpbft': the validated group layout (global replica ids per group). */
  layout?: GroupLayout;
}

/** The layout a gpbft config names; InputError('config.invalid') on a bad one (groups under 4 members, unknown or repeated ids). */
export function groupLayoutOf(groups: NonNullable<ReplicaConfig['groups']>, keys: Uint8Array[]): GroupLayout {
  if (typeof groups === 'object' && 'members' in groups)
    return validateLayout({ groups: groups.members }, keys.length);
  const count = typeof groups === 'number' ? groups : groups.count;
  const seed = (typeof groups === 'object' ? groups.seed : undefined) ?? `cluster:${replicaSetId(keys)}`;
  return assignGroups(keys, count, seed);
}

/** Validates a parsed config; `baseDir` resolves relative paths. Errors name the offending field. */
export function parseReplicaConfig(raw: unknown, baseDir: string, source = 'config'): LoadedConfig {
  const parsed = replicaConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError('config.invalid', `${source} is invalid:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const replicaPublicKeys = config.peers.map((peer, index) => {
    try {
      return publicKeyFromText(peer.publicKey);
    } catch {
      throw new InputError(
        'config.invalid',
        `${source} is invalid:\n  peers.${index}.publicKey: not a valid Ed25519 key`,
      );
    }
  });
  let layout: GroupLayout | undefined;
  if (config.mode === 'gpbft' && config.groups !== undefined) {
    try {
      layout = groupLayoutOf(config.groups, replicaPublicKeys);
    } catch (error) {
      throw new InputError('config.invalid', `${source} is invalid:\n  groups: ${(error as Error).message}`);
    }
  }
  return {
    ...config,
    ...(layout ? { layout } : {}),
    keyFile: resolve(baseDir, config.keyFile),
    dataDir: resolve(baseDir, config.dataDir),
    ...(config.tls
      ? {
          tls: {
            cert: resolve(baseDir, config.tls.cert),
            key: resolve(baseDir, config.tls.key),
            ca: resolve(baseDir, config.tls.ca),
          },
        }
      : {}),
    replicaPublicKeys,
  };
}

export function loadReplicaConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError('config.invalid', `cannot read config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError('config.invalid', `config ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseReplicaConfig(raw, dirname(resolve(path)), `config ${path}`);
}
