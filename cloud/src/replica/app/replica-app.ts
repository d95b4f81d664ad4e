import type { Hono } from 'hono';
import type { ClientRequest, ReplicatedStateMachine } from '../../consensus/types.ts';
import type { AppMetrics } from '../../ops/replica-metrics.ts';
import type { SubmitOutcome } from '../http.ts';
import type { HttpFastPath } from '../http-fast-path.ts';
import type { CheckedSubmission } from '../request-check-canonical.ts';
import type { Sqlite } from '../sqlite.ts';

/**
 * An application a replica runs on top of consensus: the state machine plus, optionally, its own
 * HTTP routes and status. The ledger plugs in here (config `app: 'ledger'`).
 */
export interface ReplicaApp {
  machine: ReplicatedStateMachine;
  routes?: (app: Hono) => void;
  /** A node:http handler tried before the routes for hot GETs (consumer pages), once routes() ran. */
  httpFastPath?: () => HttpFastPath | null;
  status?: () => Record<string, unknown>;
  /** Figures for /metrics (the ledger: chain heights, rejections by code), read at scrape time. */
  metrics?: () => AppMetrics;
  /** The state digest after batch `seq`, if still known (lets a restarted core re-sign its attests). */
  stateDigestAt?: (seq: number) => Uint8Array | undefined;
  close(): void;
}

export interface AppContext {
  /** The replica's data directory; an app keeps its own files in it. */
  dataDir: string;
  replicaId: number;
  replicaPublicKeys: readonly Uint8Array[];
  /**
   * The replica's own database. An app that keeps its tables here executes each batch inside the
   * driver's group-commit transaction: stored and executed atomically, one fsync.
   */
  db: Sqlite;
  /**
   * The replica's memoised request check (request-auth.ts): an app that checks submissions again
   * reuses its verdict, so each request's signature is verified once per replica.
   */
  verifyRequest?: (request: ClientRequest) => boolean;
  /**
   * What `verifyRequest` derived when it accepted exactly this request's bytes, handed out once
   * (request-auth.ts `takeChecked`): an app that decodes the request again can skip that work.
   */
  takeCheckedRequest?: (request: ClientRequest) => CheckedSubmission | undefined;
  /**
   * Hands a request to this replica as its `POST /v1/requests` would (the body limit, the shape,
   * the signature, then propose; http.ts `submitInProcess`), without the HTTP round trip.
   */
  submitRequest?: (request: ClientRequest) => SubmitOutcome;
  /**
   * Mode gpbft: the group layout (global replica ids per group). State certificates are then the
   * top level's, signed by members for their groups (docs/consensus.md "Ledger proofs on grouped PBFT").
   */
  groups?: readonly (readonly number[])[];
}

export type AppFactory = (context: AppContext) => ReplicaApp;
