import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Sqlite } from '@suyuan/cloud/replica/sqlite';
import { domainHash, fromBase64Url, generateKeyPair, sign, verify } from '@suyuan/shared';
import { Submitter } from '../cluster/harness.ts';

/**
 * The least CPU a 1 KB request can cost on this machine for the work issue #3 itself asks of every
 * request, each piece measured alone in one process with nothing of ours around it (CPU time, user +
 * system): one Ed25519 verification per replica (the bound's unit), decoding the request (JSON.parse)
 * per replica, the slot's signed votes shared by its batch (each replica signs a prepare and a commit
 * and checks 2f of each: both are forwarded as proof), a SHA-256 of the body per
 * replica (its digest), a durable SQLite write of the body per replica (WAL, synchronous=FULL, one
 * row per request in batches of `batchSize`, and the 3 transactions a PBFT slot persists: log,
 * prepared, committed), the body crossing loopback TCP from the primary to n − 1 backups (both
 * ends), and one HTTP intake (client and server, 32 requests to a call as bench:consensus sends
 * them). Their sum over n = 4 replicas is the floor; the fraction of the bound it leaves is the most
 * any implementation could reach here, before consensus messages, votes, timers and our own code.
 * `pnpm bench:consensus` runs it and records it (`floor` in its JSON).
 */
export interface FloorOptions {
  batchSize: number;
  batchCount: number;
}

const requestBytes = 1024;
const n = 4;
const requestsPerCall = 32;

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** The requests every measurement works on: `batchCount` batches of `batchSize` random 1 KB bodies. */
interface Work {
  bodies: Buffer[];
  batchSize: number;
  batchCount: number;
  requestCount: number;
}

function verifyUs(): number {
  const key = generateKeyPair();
  const message = randomBytes(180);
  const signature = sign(key.privateKey, message);
  const rounds = 4000;
  const t = cpuUs();
  for (let i = 0; i < rounds; i++) if (!verify(key.publicKey, message, signature)) throw new Error('verify');
  return (cpuUs() - t) / rounds;
}

/** One Ed25519 signature over a vote-sized message (a prepare or commit statement). */
function signUs(): number {
  const key = generateKeyPair();
  const message = randomBytes(120);
  const rounds = 2000;
  const t = cpuUs();
  for (let i = 0; i < rounds; i++) sign(key.privateKey, message);
  return (cpuUs() - t) / rounds;
}

/** JSON.parse of a real signed 1 KB request body (a replica must decode a request to check it). */
function parseUs(): number {
  const submitter = new Submitter();
  const texts = Array.from({ length: 2000 }, () =>
    Buffer.from(fromBase64Url(submitter.make(requestBytes - 400).body)).toString('utf8'),
  );
  const t = cpuUs();
  for (const text of texts) JSON.parse(text);
  return (cpuUs() - t) / texts.length;
}

function digestUs({ bodies, requestCount }: Work): number {
  const t = cpuUs();
  for (const body of bodies) domainHash('envelope', body);
  return (cpuUs() - t) / requestCount;
}

/** One row per request and the 3 durable transactions of a slot (two of them carry a small record). */
function storeUs(
  dir: string,
  { bodies, batchSize, batchCount, requestCount }: Work,
): { perRequestUs: number; perTransactionUs: number } {
  const db: Sqlite = openSqlite(join(dir, 'floor.sqlite'), [
    `CREATE TABLE bodies (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
     CREATE TABLE records (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, data BLOB NOT NULL);`,
  ]);
  const body = db.prepare('INSERT INTO bodies (data) VALUES (?)');
  const record = db.prepare('INSERT INTO records (seq, data) VALUES (?, ?)');
  const small = randomBytes(200);
  const t = cpuUs();
  for (let b = 0; b < batchCount; b++) {
    db.transaction(() => {
      for (let i = b * batchSize; i < (b + 1) * batchSize; i++) body.run(bodies[i]);
      record.run(b, small);
    })();
    db.transaction(() => record.run(b, small))();
    db.transaction(() => record.run(b, small))();
  }
  const total = cpuUs() - t;
  const empty = db.prepare('INSERT INTO records (seq, data) VALUES (?, ?)');
  const t2 = cpuUs();
  for (let b = 0; b < batchCount; b++) db.transaction(() => empty.run(b, small))();
  const perTransactionUs = (cpuUs() - t2) / batchCount;
  db.close();
  return { perRequestUs: total / requestCount, perTransactionUs };
}

/** A batch's bodies sent once to each of n − 1 peers over loopback TCP and read there (both ends). */
async function tcpUs({ bodies, batchSize, batchCount, requestCount }: Work): Promise<number> {
  let received = 0;
  const expected = requestCount * requestBytes * (n - 1);
  const server = createServer((socket) => socket.on('data', (chunk: Buffer) => (received += chunk.length)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const peers: Socket[] = await Promise.all(
    Array.from(
      { length: n - 1 },
      () =>
        new Promise<Socket>((resolve) => {
          const s = createConnection(port, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const t = cpuUs();
  for (let b = 0; b < batchCount; b++) {
    const frame = Buffer.concat(bodies.slice(b * batchSize, (b + 1) * batchSize));
    for (const peer of peers) peer.write(frame);
    // Bounded: wait for this batch to arrive everywhere before the next (no unbounded buffering).
    const target = (b + 1) * frame.length * (n - 1);
    for (let spins = 0; received < target && spins < 100_000; spins++) await new Promise(setImmediate);
  }
  const us = cpuUs() - t;
  if (received !== expected) throw new Error(`tcp: received ${received} of ${expected} bytes`);
  for (const peer of peers) peer.destroy();
  server.close();
  return us / requestCount;
}

/** HTTP intake: 32 requests to a keep-alive POST, the server reads the body and answers a small JSON. */
async function httpUs({ bodies, requestCount }: Work): Promise<number> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const calls = requestCount / requestsPerCall;
  const call = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          headers: { 'content-length': body.length },
        },
        (res) => res.on('data', () => {}).on('end', resolve),
      );
      req.on('error', reject);
      req.end(body);
    });
  const t = cpuUs();
  for (let i = 0; i < calls; i += 8) {
    const wave = Array.from({ length: Math.min(8, calls - i) }, (_, k) =>
      call(Buffer.concat(bodies.slice((i + k) * requestsPerCall, (i + k + 1) * requestsPerCall))),
    );
    await Promise.all(wave);
  }
  const us = cpuUs() - t;
  agent.destroy();
  server.close();
  return us / requestCount;
}

export interface ConsensusFloor {
  n: number;
  requestBytes: number;
  batchSize: number;
  requestsPerCall: number;
  cpuUsPerRequest: {
    ed25519VerifyPerReplica: number;
    requestParsePerReplica: number;
    /** Signed prepare and commit votes of a slot (2 signatures, 4f checks) shared by its batch. */
    votesPerReplica: number;
    bodyDigestPerReplica: number;
    durableStorePerReplica: number;
    durableTransaction: number;
    loopbackTcpToBackupsBothEnds: number;
    httpIntakeClientAndServer: number;
  };
  floorUsPerRequestAllReplicas: number;
  verificationUsPerRequestAllReplicas: number;
  /** The bound counts verifications only: the most of it an implementation at the floor reaches. */
  mostFractionOfBound: number;
}

export async function measureConsensusFloor(options: FloorOptions): Promise<ConsensusFloor> {
  const requestCount = options.batchSize * options.batchCount;
  const work: Work = {
    ...options,
    requestCount,
    bodies: Array.from({ length: requestCount }, () => randomBytes(requestBytes)),
  };
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-floor-'));
  try {
    const verification = verifyUs();
    const voteSign = signUs();
    const parse = parseUs();
    // A slot's votes at the fewest the issue allows: each replica signs its prepare (the primary its
    // pre-prepare) and its commit, both forwarded as proof, and checks 2f of each from the others.
    const f = (n - 1) / 3;
    const votesPerReplica = (2 * voteSign + 4 * f * verification) / options.batchSize;
    const digest = digestUs(work);
    const store = storeUs(dir, work);
    const tcp = await tcpUs(work);
    const http = await httpUs(work);
    const floorUs = n * (verification + parse + digest + store.perRequestUs + votesPerReplica) + tcp + http;
    const boundUs = n * verification;
    return {
      n,
      requestBytes,
      batchSize: options.batchSize,
      requestsPerCall,
      cpuUsPerRequest: {
        ed25519VerifyPerReplica: round(verification),
        requestParsePerReplica: round(parse),
        votesPerReplica: round(votesPerReplica),
        bodyDigestPerReplica: round(digest),
        durableStorePerReplica: round(store.perRequestUs),
        durableTransaction: round(store.perTransactionUs),
        loopbackTcpToBackupsBothEnds: round(tcp),
        httpIntakeClientAndServer: round(http),
      },
      floorUsPerRequestAllReplicas: round(floorUs),
      verificationUsPerRequestAllReplicas: round(boundUs),
      mostFractionOfBound: Math.round((boundUs / floorUs) * 1000) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
