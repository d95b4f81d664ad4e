import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import {
  attestationBytes,
  type BlockHeader,
  canonicalBytes,
  domainHash,
  generateKeyPair,
  type LedgerTx,
  merkleAllProofs,
  merkleLeafHash,
  merkleRoot,
  type PayloadTx,
  payloadLeafHash,
  publicKeyFromText,
  type Reading,
  type ReadingBatchTx,
  type Receipt,
  sign,
  statusWaitHeader,
  submitRequestSchema,
  toBase64Url,
  verifySubmission,
} from '@suyuan/shared';
import { Hono } from 'hono';

/**
 * A small stand-in for the cloud replicas, for tests and benchmarks until the real cluster runs:
 * it checks signatures, deduplicates by (submitter, seq) as the contract says, commits each
 * submission as a one-transaction block with a state certificate signed by a quorum of its own
 * replica keys, and counts every reading it committed by (deviceId, seq). Like the real ledger, an
 * all-readings submission becomes one `readingBatch` transaction on the telemetry chain, and any
 * other (EPCIS events, registry actions) one `payload` transaction per payload, with its Merkle path
 * to the signed payloads root, on the trace or registry chain; the receipt has one entry per
 * transaction. (It checks shapes, not the ledger's business rules.) Several servers may share
 * one `FakeLedger` (several replicas of one network); each can be told to misbehave.
 */

export type ReplicaBehaviour = 'honest' | 'lying' | 'silent' | 'down' | 'rejecting';

export class FakeLedger {
  readonly replicas = Array.from({ length: 4 }, () => generateKeyPair());
  readonly replicaPublicKeys = this.replicas.map((r) => r.publicKey);
  /** (submitter#seq) → canonical body and receipt. */
  private readonly submissions = new Map<string, { body: string; receipt: Receipt }>();
  /** `${deviceId}#${seq}` → how many times committed (exactly once means 1). */
  readonly readingCounts = new Map<string, number>();
  /** Every committed event and registry payload, in commit order, with where it came from. */
  readonly businessPayloads: { submitter: string; seq: number; index: number; payload: unknown }[] = [];
  /** When true, a new submission answers 202 and commits only when its status is asked. */
  commitOnPoll = false;
  /** When true, a new submission answers 202 and commits only at `commitAll()`. */
  commitLater = false;
  /**
   * When true, the replicas hold status GETs with `?waitMs=` until the next `commitAll()` (or the
   * wait ends) and say so in `statusWaitHeader`, as real replicas do since session 6.
   */
  holdsStatus = false;
  /** Status GETs held now. */
  heldStatusGets = 0;
  /**
   * When true (the default, as replicas since session 7), a status GET with `?receipt=compact` gets
   * reading batches without their payloads; false plays an older replica that ignores it.
   */
  compactReceipts = true;
  private readonly pendingCommits = new Map<string, () => void>();
  private readonly commitWaiters = new Set<() => void>();
  private height = 0;

  submit(raw: unknown): { status: number; body: unknown } {
    const parsed = submitRequestSchema.safeParse(raw);
    if (!parsed.success) return errorBody(400, 'request.invalid', parsed.error.issues[0]?.message ?? '');
    let header: ReturnType<typeof verifySubmission>['header'];
    try {
      header = verifySubmission(parsed.data.submission, publicKeyFromText(parsed.data.publicKey)).header;
    } catch (error) {
      return errorBody(400, 'envelope.invalid', (error as Error).message);
    }
    const key = `${header.submitter}#${header.seq}`;
    const body = new TextDecoder().decode(canonicalBytes(parsed.data.submission));
    const known = this.submissions.get(key);
    if (known) {
      if (known.body !== body) return errorBody(409, 'submission.conflict', `${key} seen with another body`);
      return { status: 200, body: { status: 'committed', receipt: known.receipt } };
    }
    if (this.pendingCommits.has(key)) return { status: 202, body: { status: 'pending' } };
    const commit = () => this.commit(key, body, parsed.data.submission, parsed.data.publicKey, header);
    if (this.commitOnPoll || this.commitLater) {
      this.pendingCommits.set(key, commit);
      return { status: 202, body: { status: 'pending' } };
    }
    commit();
    return { status: 202, body: { status: 'pending' } };
  }

  status(submitter: string, seq: number): unknown {
    const key = `${submitter}#${seq}`;
    const pending = this.pendingCommits.get(key);
    if (pending && !this.commitLater) {
      this.pendingCommits.delete(key);
      pending();
    }
    const known = this.submissions.get(key);
    if (known) return { status: 'committed', receipt: known.receipt };
    return this.pendingCommits.has(key) ? { status: 'pending' } : { status: 'unknown' };
  }

  /** Commits every submission waiting for it (`commitLater`) and wakes the held status GETs. */
  commitAll(): void {
    const commits = [...this.pendingCommits.values()];
    this.pendingCommits.clear();
    for (const commit of commits) commit();
    const waiters = [...this.commitWaiters];
    this.commitWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next `commitAll()` or after `waitMs`. */
  waitForCommit(waitMs: number): Promise<void> {
    this.heldStatusGets++;
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.commitWaiters.delete(wake);
        this.heldStatusGets--;
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      timer.unref();
      this.commitWaiters.add(wake);
    });
  }

  private commit(
    key: string,
    body: string,
    submission: { payloads: unknown[]; signature: string },
    publicKey: string,
    header: ReturnType<typeof verifySubmission>['header'],
  ): void {
    const signed = { ...omitV(header), signature: submission.signature, publicKey };
    const payloads = submission.payloads as { kind: string }[];
    if (payloads.every((p) => p.kind === 'reading')) {
      const readings = payloads as { kind: 'reading'; reading: Reading }[];
      for (const p of readings) {
        const id = `${p.reading.deviceId}#${p.reading.seq}`;
        this.readingCounts.set(id, (this.readingCounts.get(id) ?? 0) + 1);
      }
      const tx: ReadingBatchTx = { v: 1, kind: 'readingBatch', signed, payloads: readings, gaps: [] };
      const receipt = this.receiptFor('telemetry', [tx], header.submitter, header.seq);
      this.submissions.set(key, { body, receipt });
      return;
    }
    const paths = merkleAllProofs(payloads.map(payloadLeafHash));
    const txs: PayloadTx[] = payloads.map((payload, i) => {
      this.businessPayloads.push({ submitter: header.submitter, seq: header.seq, index: i, payload });
      return {
        v: 1,
        kind: 'payload',
        signed,
        payloadIndex: i,
        payloadPath: paths[i]!.map(toBase64Url),
        payload: payload as PayloadTx['payload'],
        links: [],
      };
    });
    const chain = payloads[0]?.kind === 'registry' ? 'registry' : 'trace';
    this.submissions.set(key, { body, receipt: this.receiptFor(chain, txs, header.submitter, header.seq) });
  }

  /** One block on `chain` holding `txs`, certified by 3 of the 4 replica keys; one receipt entry per tx. */
  private receiptFor(chain: string, txs: LedgerTx[], submitter: string, seq: number): Receipt {
    this.height++;
    const leaves = txs.map((tx) => merkleLeafHash(canonicalBytes(tx)));
    const blockHeader: BlockHeader = {
      v: 1,
      chain,
      height: this.height,
      prevHash: toBase64Url(new Uint8Array(32)),
      txRoot: toBase64Url(merkleRoot(leaves)),
      txCount: txs.length,
      time: 0,
      batchSeq: this.height,
      anchors: {},
    };
    const stateDigest = merkleLeafHash(domainHash('blockHeader', canonicalBytes(blockHeader)));
    const signatures = this.replicas.slice(0, 3).map((r, replica) => ({
      replica,
      signature: toBase64Url(sign(r.privateKey, attestationBytes(this.height, stateDigest))),
    }));
    const certificate = { seq: this.height, stateDigest: toBase64Url(stateDigest), signatures };
    const block = { header: blockHeader, headerIndex: 0, headerCount: 1, headerPath: [], certificate };
    const txPaths = merkleAllProofs(leaves);
    const entries = txs.map((tx, index) => ({
      payloadIndexes: tx.kind === 'readingBatch' ? tx.payloads.map((_, i) => i) : [tx.payloadIndex],
      tx,
      proof: {
        location: { chain, height: this.height, index },
        txPath: txPaths[index]!.map(toBase64Url),
        block,
      },
    }));
    return { submitter, seq, entries };
  }

  /** Readings committed more than once (must stay empty). */
  duplicates(): string[] {
    return [...this.readingCounts].filter(([, n]) => n > 1).map(([id]) => id);
  }
}

function omitV<T extends { v: 1 }>(header: T): Omit<T, 'v'> {
  const { v: _v, ...rest } = header;
  return rest;
}

function errorBody(status: number, code: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code, message } } };
}

function corrupt(receipt: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(receipt)) as Receipt;
  const sig = copy.entries[0]?.proof.block.certificate.signatures ?? [];
  for (const s of sig) s.signature = `${s.signature.slice(0, 85)}${s.signature.endsWith('A') ? 'B' : 'A'}`;
  return copy;
}

/** A receipt's reading batches without their payloads, as a session-7 replica sends them. */
export function compactForm(receipt: unknown): unknown {
  const r = receipt as { entries: { tx: Record<string, unknown> }[] };
  const entries = r.entries.map((entry) => {
    if (entry.tx.kind !== 'readingBatch') return entry;
    const { payloads: _payloads, ...tx } = entry.tx;
    return { ...entry, payloadsOmitted: true, tx };
  });
  return { ...r, entries };
}

export interface FakeReplica {
  url: string;
  behaviour: ReplicaBehaviour;
  requests: number;
  /** Path and query of every status GET it answered. */
  statusQueries: string[];
  close(): Promise<void>;
}

/** Starts one replica HTTP server on 127.0.0.1, port 0, over a shared ledger. */
export async function startFakeReplica(
  ledger: FakeLedger,
  behaviour: ReplicaBehaviour = 'honest',
): Promise<FakeReplica> {
  const app = new Hono();
  const state: FakeReplica = { url: '', behaviour, requests: 0, statusQueries: [], close: async () => {} };
  const hang = () => new Promise<Response>(() => {});
  app.use(async (c, next) => {
    state.requests++;
    if (state.behaviour === 'silent') return hang();
    if (state.behaviour === 'down') return c.json({ error: { code: 'unavailable', message: 'down' } }, 503);
    await next();
  });
  app.post('/v1/submissions', async (c) => {
    if (ledger.holdsStatus) c.header(statusWaitHeader, '10000');
    if (state.behaviour === 'rejecting')
      return c.json({ error: { code: 'registry.unknownKey', message: 'x' } }, 403);
    const { status, body } = ledger.submit(await c.req.json());
    const lie = state.behaviour === 'lying' && (body as { status?: string }).status === 'committed';
    const out = lie
      ? { status: 'committed', receipt: corrupt((body as { receipt: unknown }).receipt) }
      : body;
    return c.json(out as object, status as 200);
  });
  app.get('/v1/submissions/:submitter/:seq', async (c) => {
    const submitter = c.req.param('submitter');
    const seq = Number(c.req.param('seq'));
    state.statusQueries.push(c.req.url.slice(c.req.url.indexOf('/v1/')));
    const waitMs = Number(c.req.query('waitMs') ?? 0);
    if (ledger.holdsStatus) {
      c.header(statusWaitHeader, '10000');
      const first = ledger.status(submitter, seq) as { status: string };
      if (first.status === 'pending' && waitMs > 0) await ledger.waitForCommit(Math.min(waitMs, 10_000));
    }
    const body = ledger.status(submitter, seq) as {
      status: string;
      receipt?: unknown;
    };
    if (body.status === 'committed' && ledger.compactReceipts && c.req.query('receipt') === 'compact') {
      body.receipt = compactForm(body.receipt);
    }
    if (state.behaviour === 'lying' && body.status === 'committed') {
      return c.json({ status: 'committed', receipt: corrupt(body.receipt) });
    }
    return c.json(body);
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    });
  return state;
}
