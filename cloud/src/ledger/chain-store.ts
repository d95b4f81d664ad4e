import type { BlockHeader, BlockTx, RejectionReason, StateCertificateWire } from '@suyuan/shared';
import type Database from 'better-sqlite3';

/**
 * The SQLite adapter for verification data (blocks, transactions, batch state digests and their
 * certificates) and for the submission outcomes that make execution exactly-once.
 */

export interface StoredBlock {
  header: BlockHeader;
  headerText: string;
  headerHash: Uint8Array;
  batchSeq: number;
  headerIndex: number;
}

export interface SubmissionTx {
  chain: string;
  height: number;
  index: number;
  payloadIndexes: number[];
}

export interface SubmissionOutcome {
  bodyHash: Uint8Array;
  batchSeq: number;
  status: 'committed' | 'rejected';
  reason: RejectionReason | null;
  txs: SubmissionTx[];
}

export interface StoredBatch {
  seq: number;
  stateDigest: Uint8Array;
  blockTime: number;
  headers: [string, number][];
  certificate: StateCertificateWire | null;
}

export class ChainStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      head: db.prepare('SELECT height, header_hash FROM blocks WHERE chain = ? ORDER BY height DESC LIMIT 1'),
      block: db.prepare(
        'SELECT header, header_hash, batch_seq, header_index FROM blocks WHERE chain = ? AND height = ?',
      ),
      putBlock: db.prepare(
        'INSERT INTO blocks (chain, height, header_hash, header, batch_seq, header_index) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      putTx: db.prepare('INSERT INTO txs (chain, height, idx, leaf_hash, tx) VALUES (?, ?, ?, ?, ?)'),
      // The same TEXT value from its UTF-8 bytes (the database encoding), without a JS string.
      putTxBytes: db.prepare(
        'INSERT INTO txs (chain, height, idx, leaf_hash, tx) VALUES (?, ?, ?, ?, CAST(? AS TEXT))',
      ),
      tx: db.prepare('SELECT tx FROM txs WHERE chain = ? AND height = ? AND idx = ?'),
      txBytes: db
        .prepare('SELECT CAST(tx AS BLOB) FROM txs WHERE chain = ? AND height = ? AND idx = ?')
        .pluck(),
      txEdges: db.prepare(
        'SELECT substr(CAST(tx AS BLOB), 1, ?) AS head, substr(CAST(tx AS BLOB), -?) AS tail, length(CAST(tx AS BLOB)) AS bytes FROM txs WHERE chain = ? AND height = ? AND idx = ?',
      ),
      blockTxBytes: db
        .prepare('SELECT CAST(tx AS BLOB) FROM txs WHERE chain = ? AND height = ? ORDER BY idx')
        .pluck(),
      leafHashes: db.prepare('SELECT leaf_hash FROM txs WHERE chain = ? AND height = ? ORDER BY idx'),
      putBatch: db.prepare(
        'INSERT INTO ledger_batches (seq, state_digest, block_time, headers, certificate) VALUES (?, ?, ?, ?, NULL)',
      ),
      batch: db.prepare(
        'SELECT seq, state_digest, block_time, headers, certificate FROM ledger_batches WHERE seq = ?',
      ),
      lastBatch: db.prepare('SELECT seq, block_time FROM ledger_batches ORDER BY seq DESC LIMIT 1'),
      certify: db.prepare('UPDATE ledger_batches SET certificate = ? WHERE seq = ? AND certificate IS NULL'),
      submission: db.prepare(
        'SELECT body_hash, batch_seq, status, reason, txs FROM submissions WHERE submitter = ? AND seq = ?',
      ),
      putSubmission: db.prepare(
        'INSERT INTO submissions (submitter, seq, body_hash, batch_seq, status, reason, txs) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  head(chain: string): { height: number; hash: Uint8Array } | null {
    const row = this.stmt.head.get(chain) as { height: number; header_hash: Uint8Array } | undefined;
    return row ? { height: row.height, hash: new Uint8Array(row.header_hash) } : null;
  }

  block(chain: string, height: number): StoredBlock | undefined {
    const row = this.stmt.block.get(chain, height) as
      | { header: string; header_hash: Uint8Array; batch_seq: number; header_index: number }
      | undefined;
    if (!row) return undefined;
    return {
      header: JSON.parse(row.header) as BlockHeader,
      headerText: row.header,
      headerHash: new Uint8Array(row.header_hash),
      batchSeq: row.batch_seq,
      headerIndex: row.header_index,
    };
  }

  putBlock(b: StoredBlock): void {
    this.stmt.putBlock.run(
      b.header.chain,
      b.header.height,
      b.headerHash,
      b.headerText,
      b.batchSeq,
      b.headerIndex,
    );
  }

  /**
   * `tx`: the transaction's canonical text, or its UTF-8 bytes (a Buffer), stored as the same TEXT
   * value: better-sqlite3 then need not transcode a ~1 MB string (reading-batch-tx.ts).
   */
  putTx(chain: string, height: number, index: number, leafHash: Uint8Array, tx: string | Buffer): void {
    if (typeof tx === 'string') this.stmt.putTx.run(chain, height, index, leafHash, tx);
    else this.stmt.putTxBytes.run(chain, height, index, leafHash, tx);
  }

  tx(chain: string, height: number, index: number): BlockTx | undefined {
    const row = this.stmt.tx.get(chain, height, index) as { tx: string } | undefined;
    return row ? (JSON.parse(row.tx) as BlockTx) : undefined;
  }

  /**
   * A tx's canonical text as its UTF-8 bytes: a compact receipt cuts the readings out of them. A
   * ~1 MB text read as bytes costs a copy; as a JS string it cost ~30x that.
   */
  txBytes(chain: string, height: number, index: number): Buffer | undefined {
    return this.stmt.txBytes.get(chain, height, index) as Buffer | undefined;
  }

  /**
   * The first and last `edgeBytes` of a tx's text as UTF-8 bytes, without copying the rest into
   * JS; a text up to twice that long comes whole, as both (`head === tail`).
   */
  txEdges(
    chain: string,
    height: number,
    index: number,
    edgeBytes: number,
  ): { head: Buffer; tail: Buffer } | undefined {
    const row = this.stmt.txEdges.get(edgeBytes, edgeBytes, chain, height, index) as
      | { head: Buffer; tail: Buffer; bytes: number }
      | undefined;
    if (row === undefined) return undefined;
    if (row.bytes > 2 * edgeBytes) return { head: row.head, tail: row.tail };
    const whole = this.txBytes(chain, height, index);
    return whole === undefined ? undefined : { head: whole, tail: whole };
  }

  /** A block's tx texts as UTF-8 bytes, in index order: the block route splices them unparsed. */
  blockTxBytes(chain: string, height: number): Buffer[] {
    return this.stmt.blockTxBytes.all(chain, height) as Buffer[];
  }

  leafHashes(chain: string, height: number): Uint8Array[] {
    return (this.stmt.leafHashes.all(chain, height) as { leaf_hash: Uint8Array }[]).map(
      (r) => new Uint8Array(r.leaf_hash),
    );
  }

  putBatch(seq: number, stateDigest: Uint8Array, blockTime: number, headers: [string, number][]): void {
    this.stmt.putBatch.run(seq, stateDigest, blockTime, JSON.stringify(headers));
  }

  batch(seq: number): StoredBatch | undefined {
    const row = this.stmt.batch.get(seq) as
      | {
          seq: number;
          state_digest: Uint8Array;
          block_time: number;
          headers: string;
          certificate: string | null;
        }
      | undefined;
    if (!row) return undefined;
    return {
      seq: row.seq,
      stateDigest: new Uint8Array(row.state_digest),
      blockTime: row.block_time,
      headers: JSON.parse(row.headers) as [string, number][],
      certificate: row.certificate === null ? null : (JSON.parse(row.certificate) as StateCertificateWire),
    };
  }

  lastBatch(): { seq: number; blockTime: number } | null {
    const row = this.stmt.lastBatch.get() as { seq: number; block_time: number } | undefined;
    return row ? { seq: row.seq, blockTime: row.block_time } : null;
  }

  certify(seq: number, certificate: StateCertificateWire): boolean {
    return this.stmt.certify.run(JSON.stringify(certificate), seq).changes === 1;
  }

  submission(submitter: string, seq: number): SubmissionOutcome | undefined {
    const row = this.stmt.submission.get(submitter, seq) as
      | { body_hash: Uint8Array; batch_seq: number; status: string; reason: string | null; txs: string }
      | undefined;
    if (!row) return undefined;
    return {
      bodyHash: new Uint8Array(row.body_hash),
      batchSeq: row.batch_seq,
      status: row.status as SubmissionOutcome['status'],
      reason: row.reason === null ? null : (JSON.parse(row.reason) as RejectionReason),
      txs: JSON.parse(row.txs) as SubmissionTx[],
    };
  }

  putSubmission(submitter: string, seq: number, o: SubmissionOutcome): void {
    const reason = o.reason === null ? null : JSON.stringify(o.reason);
    this.stmt.putSubmission.run(
      submitter,
      seq,
      o.bodyHash,
      o.batchSeq,
      o.status,
      reason,
      JSON.stringify(o.txs),
    );
  }
}
