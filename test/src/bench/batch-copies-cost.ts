import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  ClientRequest,
  CommittedBatch,
  ConsensusCrypto,
  ConsensusMessage,
  PersistRecord,
} from '@suyuan/cloud/consensus/types';
import { SeededRng, toHex } from '@suyuan/shared';
import { repoRoot } from '../cluster/harness.ts';
import { CpuTally, writeBenchReport } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/batch-copies-cost.ts --base DIR [--rounds 8] [--requests 2]
 * [--body-bytes 500000] [--out file.json]`: CPU µs and minor page faults per ~1 MB batch of what
 * every replica does with a batch's bytes in consensus and storage, for this checkout and the one
 * at DIR (a `git archive` of an older commit with node_modules linked in), in ONE process with the
 * two alternating every round:
 * - a backup: the pre-prepare frame arriving in 64 KiB socket chunks (FrameDecoder), its decoding,
 *   its batch digest, and storing its body (the log record) then the committed batch that points
 *   at it (ReplicaStore.saveReady, real SQLite in a temp dir);
 * - the primary: the batch digest of requests from intake, the pre-prepare's frame for the
 *   transport, and the same two store transactions.
 * - the request check's Merkle leaves: `domainHash('merkleLeaf', reading)` for 4,096 readings of
 *   140 bytes (reported per batch too).
 * Each tree's own modules are used (codec, framing, store, shared hashing). The digests and the
 * stored rows are asserted equal between the trees every round.
 */
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '8' },
    requests: { type: 'string', default: '2' },
    'body-bytes': { type: 'string', default: '500000' },
    out: { type: 'string' },
  },
});
if (values.base === undefined) throw new Error('--base DIR is required');
const rounds = Number(values.rounds);
const requestsPerBatch = Number(values.requests);
const bodyBytes = Number(values['body-bytes']);
const batchesPerRound = 6;
const chunkBytes = 65_536;

interface Tree {
  label: string;
  dir: string;
  FrameDecoder: new (frameBytesMax: number) => { push(chunk: Buffer): Buffer[] };
  decodeMessage: (bytes: Uint8Array) => ConsensusMessage;
  /** What the transport hands the socket for a message (one frame or its pieces). */
  frameForSocket: (message: ConsensusMessage) => readonly Uint8Array[];
  batchDigestOf: (crypto: ConsensusCrypto, requests: readonly ClientRequest[]) => Uint8Array;
  store: {
    saveReady(p: readonly PersistRecord[], c: readonly CommittedBatch[], s: readonly never[]): void;
    close(): void;
    db: { prepare(sql: string): { all(...args: unknown[]): unknown[] } };
  };
  crypto: ConsensusCrypto;
  domainHash: (domain: 'merkleLeaf', ...parts: Uint8Array[]) => Uint8Array;
  seq: number;
}

async function loadTree(label: string, root: string): Promise<Tree> {
  const at = (path: string) => pathToFileURL(join(root, path)).href;
  const framing = await import(at('cloud/src/replica/framing.ts'));
  const codec = await import(at('cloud/src/consensus/codec.ts'));
  const statements = await import(at('cloud/src/consensus/statements.ts'));
  const storeModule = await import(at('cloud/src/replica/replica-store.ts'));
  const hash = await import(at('shared/src/hash.ts'));
  const frameBytesMax = 16 * 1024 * 1024;
  // Trees before session 8 frame one encoding; later ones hand the socket the pieces.
  const frameForSocket = (message: ConsensusMessage): readonly Uint8Array[] =>
    codec.encodeMessagePieces !== undefined
      ? framing.frameInPlacePieces(codec.encodeMessagePieces(message, 4), frameBytesMax)
      : [framing.frameInPlace(codec.encodeMessageWithHeadroom(message, 4), frameBytesMax)];
  const dir = mkdtempSync(join(tmpdir(), `copies-bench-${label}-`));
  return {
    label,
    dir,
    FrameDecoder: framing.FrameDecoder,
    decodeMessage: codec.decodeMessage,
    frameForSocket,
    batchDigestOf: statements.batchDigestOf,
    store: new storeModule.ReplicaStore(join(dir, 'replica.sqlite')),
    crypto: {
      sign: () => new Uint8Array(64),
      verifyReplica: () => true,
      verifyRequest: () => true,
      digest: (bytes: Uint8Array) => hash.domainHash('consensusBatch', bytes),
    },
    domainHash: hash.domainHash,
    seq: 0,
  };
}

const rng = new SeededRng(8);
/** Requests as intake hands them to the primary: each body its own buffer. */
function intakeRequests(): ClientRequest[] {
  return Array.from({ length: requestsPerBatch }, (_, i) => ({
    submitter: `gateway-key-${i}-${rng.int(1_000_000)}`,
    seq: rng.int(1_000_000),
    body: Buffer.from(Uint8Array.from({ length: bodyBytes }, (_, j) => (j * 31 + i) & 0xff)),
  }));
}

function prePrepare(seq: number, requests: ClientRequest[], digest: Uint8Array): ConsensusMessage {
  return { type: 'prePrepare', view: 0, seq, batchDigest: digest, requests, signature: new Uint8Array(64) };
}

function storeBatch(tree: Tree, seq: number, requests: ClientRequest[], digest: Uint8Array): void {
  tree.store.saveReady([{ kind: 'log', seq, view: 0, batchDigest: digest, requests }], [], []);
  const certificate = { view: 0, seq, batchDigest: digest, signatures: [] };
  tree.store.saveReady([], [{ seq, view: 0, requests, certificate }], []);
}

/** The chunks a socket would hand the backup: fresh buffers of at most 64 KiB (made untimed). */
function socketChunks(pieces: readonly Uint8Array[]): Buffer[] {
  const whole = Buffer.concat(pieces);
  const chunks: Buffer[] = [];
  for (let at = 0; at < whole.length; at += chunkBytes)
    chunks.push(Buffer.from(whole.subarray(at, at + chunkBytes)));
  return chunks;
}

function backupBatch(tree: Tree, tally: CpuTally, chunks: Buffer[]): string {
  const decoder = new tree.FrameDecoder(16 * 1024 * 1024);
  const frames: Buffer[] = [];
  tally.time(`${tree.label} backup: frame from chunks`, 1, () => {
    for (const chunk of chunks) frames.push(...decoder.push(chunk));
  });
  let message: ConsensusMessage | undefined;
  tally.time(`${tree.label} backup: decode`, 1, () => {
    message = tree.decodeMessage(frames[0]!);
  });
  if (message?.type !== 'prePrepare') throw new Error('not a pre-prepare');
  const m = message;
  let digest: Uint8Array = new Uint8Array();
  tally.time(`${tree.label} backup: batch digest`, 1, () => {
    digest = tree.batchDigestOf(tree.crypto, m.requests);
  });
  const seq = ++tree.seq;
  tally.time(`${tree.label} backup: store body + commit`, 1, () => storeBatch(tree, seq, m.requests, digest));
  return toHex(digest);
}

function primaryBatch(tree: Tree, tally: CpuTally, requests: ClientRequest[]): Buffer[] {
  let digest: Uint8Array = new Uint8Array();
  tally.time(`${tree.label} primary: batch digest`, 1, () => {
    digest = tree.batchDigestOf(tree.crypto, requests);
  });
  const message = prePrepare(tree.seq + 1, requests, digest);
  let pieces: readonly Uint8Array[] = [];
  tally.time(`${tree.label} primary: frame for the socket`, 1, () => {
    pieces = tree.frameForSocket(message);
  });
  const seq = ++tree.seq;
  tally.time(`${tree.label} primary: store body + commit`, 1, () => storeBatch(tree, seq, requests, digest));
  return socketChunks(pieces);
}

const leafSource = Buffer.from(Uint8Array.from({ length: 4096 * 140 }, (_, i) => (i * 7) & 0xff));
function leaves(tree: Tree, tally: CpuTally): string {
  const out: Uint8Array[] = new Array(4096);
  tally.time(`${tree.label} check: 4,096 Merkle leaves`, 1, () => {
    for (let i = 0; i < 4096; i++)
      out[i] = tree.domainHash('merkleLeaf', leafSource.subarray(i * 140, i * 140 + 140));
  });
  return toHex(out[4095]!);
}

const loadAtStart = loadavg();
const trees = [await loadTree('base', values.base), await loadTree('this', repoRoot)];
const tally = new CpuTally();
for (let round = 0; round <= rounds; round++) {
  // Round 0 warms both trees up (JIT, SQLite file growth) and is not counted.
  const counted = round > 0 ? tally : new CpuTally();
  const order = round % 2 === 0 ? trees : [...trees].reverse();
  for (let b = 0; b < batchesPerRound; b++) {
    const requests = intakeRequests();
    const frames = new Map<string, Buffer[]>();
    for (const tree of order) frames.set(tree.label, primaryBatch(tree, counted, requests));
    const [a, z] = trees.map((t) => Buffer.concat(frames.get(t.label)!).toString('hex'));
    if (a !== z) throw new Error('the two trees framed the pre-prepare differently');
    const digests = order.map((tree) => backupBatch(tree, counted, frames.get(tree.label)!));
    if (digests[0] !== digests[1]) throw new Error('the two trees computed different digests');
    const leafHashes = order.map((tree) => leaves(tree, counted));
    if (leafHashes[0] !== leafHashes[1]) throw new Error('the two trees hashed leaves differently');
  }
}
const rows = trees.map((t) =>
  toHex(
    Buffer.concat(
      t.store.db
        .prepare('SELECT requests FROM bodies ORDER BY id')
        .all()
        .map((r) => (r as { requests: Buffer }).requests),
    ),
  ),
);
if (rows[0] !== rows[1]) throw new Error('the two trees stored different bodies');
for (const tree of trees) {
  tree.store.close();
  rmSync(tree.dir, { recursive: true, force: true });
}
writeBenchReport('batch-copies-cost', values.out, loadAtStart, {
  rounds,
  batchesPerRound,
  requestsPerBatch,
  bodyBytes,
  usPerBatch: tally.perUnit(),
  minorFaultsPerBatch: Object.fromEntries(
    Object.entries(tally.faultsPerThousand()).map(([k, v]) => [k, Math.round(v) / 1000]),
  ),
});
