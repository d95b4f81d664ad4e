import { InputError } from '@suyuan/shared';
import type {
  ClientRequest,
  CommitCertificate,
  CommittedBatch,
  PersistRecord,
  ReplicaSignature,
  StateCertificate,
} from '../consensus/types.ts';

/**
 * Compact binary encoding of what the replica stores in SQLite (persist records, committed batches,
 * certificates). Our own storage format, versioned with the schema; the wire format between replicas
 * is the consensus message codec, not this. Integers are u32/f64-safe big-endian.
 */

class Writer {
  private parts: Buffer[] = [];
  u32(n: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  u53(n: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(n));
    this.parts.push(b);
    return this;
  }
  bytes(value: Uint8Array): this {
    this.u32(value.length);
    this.parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return this;
  }
  text(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private offset = 0;
  private readonly buf: Buffer;
  constructor(buf: Uint8Array) {
    this.buf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new InputError('store.corrupt', 'stored record truncated');
  }
  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return n;
  }
  u53(): number {
    this.need(8);
    const n = Number(this.buf.readBigUInt64BE(this.offset));
    this.offset += 8;
    return n;
  }
  bytes(): Uint8Array {
    const length = this.u32();
    this.need(length);
    const out = new Uint8Array(this.buf.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }
  text(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }
}

function writeRequests(w: Writer, requests: readonly ClientRequest[]): void {
  w.u32(requests.length);
  for (const r of requests) w.text(r.submitter).u53(r.seq).bytes(r.body);
}

function readRequests(r: Reader): ClientRequest[] {
  const count = r.u32();
  const out: ClientRequest[] = [];
  for (let i = 0; i < count; i++) out.push({ submitter: r.text(), seq: r.u53(), body: r.bytes() });
  return out;
}

function writeSignatures(w: Writer, signatures: readonly ReplicaSignature[]): void {
  w.u32(signatures.length);
  for (const s of signatures) w.u32(s.replica).bytes(s.signature);
}

function readSignatures(r: Reader): ReplicaSignature[] {
  const count = r.u32();
  const out: ReplicaSignature[] = [];
  for (let i = 0; i < count; i++) out.push({ replica: r.u32(), signature: r.bytes() });
  return out;
}

export function encodeRequests(requests: readonly ClientRequest[]): Buffer {
  const w = new Writer();
  writeRequests(w, requests);
  return w.done();
}

export function decodeRequests(bytes: Uint8Array): ClientRequest[] {
  return readRequests(new Reader(bytes));
}

export function encodeSignatures(signatures: readonly ReplicaSignature[]): Buffer {
  const w = new Writer();
  writeSignatures(w, signatures);
  return w.done();
}

export function decodeSignatures(bytes: Uint8Array): ReplicaSignature[] {
  return readSignatures(new Reader(bytes));
}

export function encodeCommitCertificate(c: CommitCertificate): Buffer {
  const w = new Writer().u53(c.view).u53(c.seq).bytes(c.batchDigest);
  writeSignatures(w, c.signatures);
  return w.done();
}

export function decodeCommitCertificate(bytes: Uint8Array): CommitCertificate {
  const r = new Reader(bytes);
  return { view: r.u53(), seq: r.u53(), batchDigest: r.bytes(), signatures: readSignatures(r) };
}

export function encodeStateCertificate(c: StateCertificate): Buffer {
  const w = new Writer().u53(c.seq).bytes(c.stateDigest);
  writeSignatures(w, c.signatures);
  return w.done();
}

export function decodeStateCertificate(bytes: Uint8Array): StateCertificate {
  const r = new Reader(bytes);
  return { seq: r.u53(), stateDigest: r.bytes(), signatures: readSignatures(r) };
}

/** The seq a persist record is about (0 for view changes), so truncation can find it by index. */
export function persistRecordSeq(record: PersistRecord): number {
  switch (record.kind) {
    case 'view':
      return 0;
    case 'prepared':
    case 'stableCheckpoint':
      return record.certificate.seq;
    case 'log':
    case 'truncateBelow':
      return record.seq;
  }
}

export function batchFromRow(row: {
  seq: number;
  view: number;
  requests: Uint8Array;
  certificate: Uint8Array;
}): CommittedBatch {
  return {
    seq: row.seq,
    view: row.view,
    requests: decodeRequests(row.requests),
    certificate: decodeCommitCertificate(row.certificate),
  };
}
