import type { CloudClientOptions } from './cloud-client.ts';
import { defaultCloudClientOptions } from './cloud-client.ts';
import type { UploaderLog } from './upload-log.ts';

/** The uploader's options and counters (uploader.ts holds the uploader). */

export interface UploaderOptions {
  cloudUrls: readonly string[];
  replicaPublicKeys: readonly Uint8Array[];
  /** Grouped PBFT replicas: their layout (global ids per group), which receipts are checked under. */
  replicaGroups?: readonly (readonly number[])[];
  /** Submissions in flight at once. */
  inflightMax: number;
  /** Pacing: at most this many requests started per second. */
  requestsPerSecondMax: number;
  /** How often an idle uploader looks for due rows (new rows also `wake` it). */
  idlePollMs: number;
  /** How long a status GET asks the replica to hold it until the commit (`?waitMs=`); 0: never. */
  statusWaitMs: number;
  /** Status GETs in flight at once (their own lane: a held GET does not keep a POST waiting). */
  statusInflightMax: number;
  /** At most one retry line and one replica-change line per replica URL in this interval. */
  retryLogIntervalMs: number;
  log?: UploaderLog;
  /** How often expiry and pruning run. */
  maintenanceIntervalMs: number;
  /** Bodies read for a POST are kept (up to this many bytes) to check their receipts against. */
  bodyCacheBytesMax: number;
  client: CloudClientOptions;
}

export const defaultUploaderOptions: Omit<UploaderOptions, 'cloudUrls' | 'replicaPublicKeys'> = {
  inflightMax: 4,
  requestsPerSecondMax: 200,
  idlePollMs: 100,
  statusWaitMs: 5_000,
  statusInflightMax: 16,
  retryLogIntervalMs: 30_000,
  maintenanceIntervalMs: 60_000,
  bodyCacheBytesMax: 16 * 1024 * 1024,
  client: defaultCloudClientOptions,
};

export interface UploaderStats {
  sent: number;
  committed: number;
  dead: number;
  retries: number;
  badReceipts: number;
  urlIndex: number;
}
