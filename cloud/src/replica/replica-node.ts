import type { KeyObject } from 'node:crypto';
import { randomInt } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import {
  bytesEqual,
  InputError,
  loadPrivateKey,
  replicaSetId,
  SeededRng,
  submitBodyBytesMax,
} from '@suyuan/shared';
import type { Hono } from 'hono';
import type { ClientRequest, ConsensusConfig, ConsensusCrypto, ReplicaId } from '../consensus/types.ts';
import { fairTurns } from '../http/fair-turns.ts';
import { isSubmissionPost, prereadBody } from '../http/preread-body.ts';
import type { Logger } from '../ops/logger.ts';
import { eventLog } from '../ops/logger.ts';
import { mountMetrics, ReplicaMetrics } from '../ops/replica-metrics.ts';
import { apiServerTls, loadTlsMaterial } from '../ops/tls.ts';
import { appFactory } from './app/app-registry.ts';
import { definedOnly, type LoadedConfig } from './config.ts';
import type { ReplicaCorePort, RestoredState } from './core-port.ts';
import { type DriverLimits, defaultDriverLimits, ReplicaDriver, replayStoredBatches } from './driver.ts';
import { createGroupedPort, type GroupedPortOptions, groupedCodec } from './gpbft-port.ts';
import { GroupedRecordStore } from './gpbft-records.ts';
import { createReplicaHttp, defaultRequestBytesMax, type ReplicaHttpNode, submitInProcess } from './http.ts';
import { withFastPath } from './http-fast-path.ts';
import { ReplicaStore } from './replica-store.ts';
import { cachedRequestVerifier } from './request-auth.ts';
import { createTransport, type MessageCodec } from './transport.ts';
import { defaultTransportLimits, type TransportLimits } from './transport-limits.ts';

/** The PBFT core's factories (consensus/index.ts), injected so the process can be tested alone. */
export interface ConsensusBindings {
  codec: MessageCodec;
  defaultConsensusConfig(keys: readonly Uint8Array[], overrides?: Partial<ConsensusConfig>): ConsensusConfig;
  createConsensusCrypto(options: {
    privateKey: KeyObject;
    replicaPublicKeys: readonly Uint8Array[];
    verifyRequest: (request: ClientRequest) => boolean;
  }): ConsensusCrypto;
  createReplicaCore(options: {
    id: ReplicaId;
    config: ConsensusConfig;
    crypto: ConsensusCrypto;
    restored?: RestoredState;
  }): ReplicaCorePort;
}

export interface ReplicaNode {
  id: number;
  peerPort: number;
  httpPort: number;
  http: Hono;
  metrics: ReplicaMetrics;
  close(): Promise<void>;
}

export interface StartOptions {
  extraRoutes?: (app: Hono) => void;
  /** Structured logger (ops/logger.ts); transport events go through it. */
  logger?: Logger;
}

/** Opens the data dir, restores the core, connects to peers and serves HTTP. */
export async function startReplica(
  config: LoadedConfig,
  bindings: ConsensusBindings,
  options: StartOptions = {},
): Promise<ReplicaNode> {
  const key = loadPrivateKey(config.keyFile);
  const ownKey = config.replicaPublicKeys[config.id]!;
  if (!bytesEqual(key.publicKey, ownKey)) {
    throw new InputError(
      'config.invalid',
      `${config.keyFile} is not the key of replica ${config.id} in peers`,
    );
  }
  const store = new ReplicaStore(join(config.dataDir, 'replica.sqlite'));
  const requestBytesMax = config.requestBytesMax ?? defaultRequestBytesMax;
  const verifyRequest = cachedRequestVerifier();
  const app = appFactory(config.app)({
    dataDir: config.dataDir,
    replicaId: config.id,
    replicaPublicKeys: config.replicaPublicKeys,
    db: store.db,
    verifyRequest,
    takeCheckedRequest: verifyRequest.takeChecked,
    // The same decision as this replica's POST /v1/requests, without the HTTP round trip.
    submitRequest: (request) => submitInProcess(httpNode, request, requestBytesMax),
    ...(config.layout && config.layout.groups.length > 1 ? { groups: config.layout.groups } : {}),
  });
  const lastExecuted = replayStoredBatches(store, app);
  const consensusConfig = bindings.defaultConsensusConfig(
    config.replicaPublicKeys,
    definedOnly<ConsensusConfig>(config.consensus),
  );
  const core: ReplicaCorePort = config.layout
    ? createGroupedPort({
        id: config.id,
        layout: config.layout,
        publicKeys: config.replicaPublicKeys,
        consensus: definedOnly<ConsensusConfig>(config.consensus),
        gpbft: definedOnly<GroupedPortOptions['gpbft']>(config.gpbft),
        privateKey: key.privateKey,
        verifyRequest,
        records: new GroupedRecordStore(store.db),
        lastExecuted,
        stateDigestAt: (seq) => app.stateDigestAt?.(seq),
      })
    : bindings.createReplicaCore({
        id: config.id,
        config: consensusConfig,
        crypto: bindings.createConsensusCrypto({
          privateKey: key.privateKey,
          replicaPublicKeys: config.replicaPublicKeys,
          verifyRequest,
        }),
        restored: {
          records: store.loadRecords(),
          lastExecuted,
          stateDigestAt: (seq) => app.stateDigestAt?.(seq),
        },
      });
  const limits = { ...defaultDriverLimits, ...definedOnly<DriverLimits>(config.driver) };
  const tls = config.tls ? loadTlsMaterial(config.tls) : undefined;
  let driver: ReplicaDriver | null = null;
  const transport = await createTransport({
    self: {
      id: config.id,
      privateKey: key.privateKey,
      cluster: replicaSetId(config.replicaPublicKeys),
      replicaPublicKeys: config.replicaPublicKeys,
    },
    peers: config.peers,
    listenHost: config.listen.host,
    listenPort: config.listen.peerPort,
    limits: { ...defaultTransportLimits, ...definedOnly<TransportLimits>(config.transport) },
    rng: new SeededRng(config.seed ?? randomInt(2 ** 31)),
    codec: config.layout ? groupedCodec() : bindings.codec,
    onMessage: (from, message) => driver?.onMessage(from, message),
    ...(options.logger ? { log: eventLog(options.logger) } : {}),
    ...(tls ? { tls } : {}),
  });
  const metrics: ReplicaMetrics = new ReplicaMetrics({
    consensus: () => core.status(),
    transport: () => transport.status(),
    driverDropped: (): Record<string, number> => driver?.dropped ?? {},
    ...(app.metrics ? { app: app.metrics } : {}),
  });
  driver = new ReplicaDriver({
    id: config.id,
    core,
    store,
    app,
    send: transport.send,
    limits,
    observer: metrics,
  });
  const running = driver;
  const status = () => {
    const consensus = core.status();
    const net = transport.status();
    return {
      ...consensus,
      id: config.id,
      n: config.peers.length,
      peers: { sendingTo: net.sendingTo, receivingFrom: net.receivingFrom, queuedFrames: net.queuedFrames },
      dropped: { consensus: consensus.dropped, transport: net.dropped, driver: running.dropped },
      stateTransfer: running.stateTransfer,
      app: app.status?.() ?? {},
    };
  };
  const httpNode: ReplicaHttpNode = {
    status,
    verifyRequest,
    propose: (request) => {
      const result = running.propose(request);
      if (result === 'accepted' || result === 'forwarded') metrics.accepted(request.submitter, request.seq);
      return result;
    },
    requestCommit: (submitter, seq) => store.requestCommit(submitter, seq),
    isPending: (submitter, seq) => running.isPending(submitter, seq),
    waitForCommit: (submitter, seq, timeoutMs) => running.waitForCommit(submitter, seq, timeoutMs),
  };
  const http = createReplicaHttp({
    node: httpNode,
    requestBytesMax,
    extraRoutes: (hono) => {
      mountMetrics(hono, metrics.registry);
      app.routes?.(hono);
      options.extraRoutes?.(hono);
    },
  });
  // The app's fast path (consumer pages behind QR scans) answers before hono when it can; requests
  // are worked in short event-loop turns so a busy replica still accepts connections (fair-turns.ts).
  // Submission bodies (~1 MB) are read off the socket before hono (preread-body.ts).
  const viaHono = prereadBody(getRequestListener(http.fetch), isSubmissionPost, submitBodyBytesMax);
  const listener = fairTurns(withFastPath(viaHono, () => app.httpFastPath?.() ?? null));
  const server = tls ? createHttpsServer(apiServerTls(tls), listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(config.listen.httpPort, config.listen.httpHost);
  });
  const httpPort = (server.address() as AddressInfo).port;
  running.start();

  async function close(): Promise<void> {
    running.stop();
    await transport.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    store.close();
    app.close();
  }
  return { id: config.id, peerPort: transport.peerPort, httpPort, http, metrics, close };
}
