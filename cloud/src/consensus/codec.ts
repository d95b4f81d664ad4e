import { HASH_BYTES, SIGNATURE_BYTES } from '@suyuan/shared';
import {
  readRequest,
  readRequests,
  readSignatures,
  wireLimits,
  writeRequests,
  writeSignatures,
} from './codec-fields.ts';
import { messageBytesExpected } from './encoded-size.ts';
import { writeRequest } from './statements.ts';
import type {
  CommitCertificate,
  CommittedBatch,
  ConsensusMessage,
  PreparedCertificate,
  PreparedProof,
  StateCertificate,
} from './types.ts';
import { ByteReader, ByteWriter, malformed } from './wire.ts';

/**
 * Compact binary wire format for consensus messages: a one-byte type tag, then the fields in a
 * fixed order (big-endian integers, length-prefixed bytes, fixed 32-byte digests and 64-byte
 * signatures). Deterministic; the decoder is strict and bounded by `wireLimits`.
 */
export {
  readRequest,
  readRequests,
  readSignatures,
  wireLimits,
  writeRequests,
  writeSignatures,
} from './codec-fields.ts';

const TAGS = {
  request: 1,
  prePrepare: 2,
  prepare: 3,
  commit: 4,
  attest: 5,
  viewChange: 6,
  newView: 7,
  fetchBatches: 8,
  batches: 9,
  fetchBody: 10,
  body: 11,
} as const;

export function writeStateCertificate(writer: ByteWriter, cert: StateCertificate): void {
  writer.u64(cert.seq).fixed(cert.stateDigest);
  writeSignatures(writer, cert.signatures);
}

export function readStateCertificate(reader: ByteReader): StateCertificate {
  const seq = reader.u64('checkpoint seq');
  const stateDigest = reader.fixed(HASH_BYTES, 'state digest');
  return { seq, stateDigest, signatures: readSignatures(reader) };
}

export function writeCommitCertificate(writer: ByteWriter, cert: CommitCertificate): void {
  writer.u64(cert.view).u64(cert.seq).fixed(cert.batchDigest);
  writeSignatures(writer, cert.signatures);
}

function readCommitCertificate(reader: ByteReader): CommitCertificate {
  const view = reader.u64('view');
  const seq = reader.u64('seq');
  const batchDigest = reader.fixed(HASH_BYTES, 'batch digest');
  return { view, seq, batchDigest, signatures: readSignatures(reader) };
}

export function writePreparedCertificate(writer: ByteWriter, cert: PreparedCertificate): void {
  writer.u64(cert.view).u64(cert.seq).fixed(cert.batchDigest);
  writeRequests(writer, cert.requests);
  writer.fixed(cert.prePrepareSignature);
  writeSignatures(writer, cert.prepares);
}

/**
 * A prepared certificate without its batch body, as view changes carry it: the pre-prepare and
 * prepare signatures cover the digest only, so the proof is complete and its size is bounded
 * (no request bodies: a window of large batches cannot outgrow a frame).
 */
export function writePreparedProof(writer: ByteWriter, cert: PreparedProof): void {
  writer.u64(cert.view).u64(cert.seq).fixed(cert.batchDigest).fixed(cert.prePrepareSignature);
  writeSignatures(writer, cert.prepares);
}

export function readPreparedProof(reader: ByteReader): PreparedProof {
  const view = reader.u64('view');
  const seq = reader.u64('seq');
  const batchDigest = reader.fixed(HASH_BYTES, 'batch digest');
  const prePrepareSignature = reader.fixed(SIGNATURE_BYTES, 'pre-prepare signature');
  return { view, seq, batchDigest, prePrepareSignature, prepares: readSignatures(reader) };
}

export function readPreparedCertificate(reader: ByteReader): PreparedCertificate {
  const view = reader.u64('view');
  const seq = reader.u64('seq');
  const batchDigest = reader.fixed(HASH_BYTES, 'batch digest');
  const requests = readRequests(reader);
  const prePrepareSignature = reader.fixed(SIGNATURE_BYTES, 'pre-prepare signature');
  return { view, seq, batchDigest, requests, prePrepareSignature, prepares: readSignatures(reader) };
}

function writeBatch(writer: ByteWriter, batch: CommittedBatch): void {
  writer.u64(batch.seq).u64(batch.view);
  writeRequests(writer, batch.requests);
  writeCommitCertificate(writer, batch.certificate);
}

function readBatch(reader: ByteReader): CommittedBatch {
  const seq = reader.u64('seq');
  const view = reader.u64('view');
  const requests = readRequests(reader);
  return { seq, view, requests, certificate: readCommitCertificate(reader) };
}

function writeVote(
  writer: ByteWriter,
  m: { view: number; seq: number; batchDigest: Uint8Array },
): ByteWriter {
  return writer.u64(m.view).u64(m.seq).fixed(m.batchDigest);
}

export function encodeMessage(message: ConsensusMessage): Uint8Array {
  return writeMessage(message, 0).finish();
}

/**
 * The message's encoding after `headroomBytes` free bytes (a frame header goes there), so a 1 MB
 * pre-prepare is not copied once more to put 4 bytes in front of it.
 */
export function encodeMessageWithHeadroom(message: ConsensusMessage, headroomBytes: number): Uint8Array {
  return writeMessage(message, headroomBytes).finishWithHeadroom();
}

/** Request bodies (and payloads) at least this long are written to the socket as they are. */
export const pieceBytesMin = 16 * 1024;

/**
 * The message's encoding after `headroomBytes` free bytes, as pieces to write in order: every
 * request body (or payload) of at least `pieceBytesMin` is its own piece, the request's existing
 * bytes, not a copy; everything else is in small buffers between them. Concatenated, the pieces are
 * exactly `encodeWithHeadroom`'s bytes. The primary sends a ~1 MB pre-prepare this way without
 * building a fresh ~1 MB buffer per batch (~250 first-touch page faults on this VM). The bodies
 * must not change until written: requests are never modified once made.
 */
export function encodeMessagePieces(message: ConsensusMessage, headroomBytes: number): Uint8Array[] {
  const w = new ByteWriter(FIXED_FIELDS_PIECES_BYTES, headroomBytes, pieceBytesMin);
  return writeFields(w, message).finishPieces();
}

const FIXED_FIELDS_PIECES_BYTES = 1024;

function writeMessage(message: ConsensusMessage, headroomBytes: number): ByteWriter {
  return writeFields(new ByteWriter(messageBytesExpected(message), headroomBytes), message);
}

function writeFields(w: ByteWriter, message: ConsensusMessage): ByteWriter {
  w.u8(TAGS[message.type]);
  switch (message.type) {
    case 'request':
      writeRequest(w, message.request);
      break;
    case 'prePrepare':
      writeVote(w, message);
      writeRequests(w, message.requests);
      w.fixed(message.signature);
      break;
    case 'prepare':
    case 'commit':
      writeVote(w, message).u32(message.replica).fixed(message.signature);
      break;
    case 'attest':
      w.u64(message.seq).fixed(message.stateDigest).u32(message.replica).fixed(message.signature);
      break;
    case 'viewChange':
      w.u64(message.newView).u32(message.replica).bytes(message.payload).fixed(message.signature);
      break;
    case 'newView':
      w.u64(message.view).u32(message.replica).bytes(message.payload).fixed(message.signature);
      break;
    case 'fetchBatches':
      w.u64(message.fromSeq).u64(message.toSeq).u32(message.replica);
      break;
    case 'batches':
      w.u32(message.batches.length);
      for (const batch of message.batches) writeBatch(w, batch);
      w.u32(message.replica);
      break;
    case 'fetchBody':
      w.u64(message.seq).fixed(message.batchDigest).u32(message.replica);
      break;
    case 'body':
      w.u64(message.seq).fixed(message.batchDigest);
      writeRequests(w, message.requests);
      w.u32(message.replica);
      break;
  }
  return w;
}

/** Strict decoder: throws InputError('consensus.malformed') on any deviation or over-limit field. */
export function decodeMessage(bytes: Uint8Array): ConsensusMessage {
  if (!(bytes instanceof Uint8Array)) malformed('not bytes');
  if (bytes.length > wireLimits.messageBytesMax) malformed(`${bytes.length} bytes exceeds messageBytesMax`);
  const r = new ByteReader(bytes);
  const message = readMessage(r);
  r.end();
  return message;
}

function readMessage(r: ByteReader): ConsensusMessage {
  const tag = r.u8('type');
  const replicaMax = wireLimits.replicasMax - 1;
  switch (tag) {
    case TAGS.request:
      return { type: 'request', request: readRequest(r) };
    case TAGS.prePrepare: {
      const view = r.u64('view');
      const seq = r.u64('seq');
      const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
      const requests = readRequests(r);
      return { type: 'prePrepare', view, seq, batchDigest, requests, signature: sig(r) };
    }
    case TAGS.prepare:
    case TAGS.commit: {
      const view = r.u64('view');
      const seq = r.u64('seq');
      const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
      const replica = r.u32('replica', replicaMax);
      const type = tag === TAGS.prepare ? 'prepare' : 'commit';
      return { type, view, seq, batchDigest, replica, signature: sig(r) };
    }
    case TAGS.attest: {
      const seq = r.u64('seq');
      const stateDigest = r.fixed(HASH_BYTES, 'state digest');
      const replica = r.u32('replica', replicaMax);
      return { type: 'attest', seq, stateDigest, replica, signature: sig(r) };
    }
    case TAGS.viewChange: {
      const newView = r.u64('view');
      const replica = r.u32('replica', replicaMax);
      const payload = r.bytes('payload', wireLimits.messageBytesMax);
      return { type: 'viewChange', newView, replica, payload, signature: sig(r) };
    }
    case TAGS.newView: {
      const view = r.u64('view');
      const replica = r.u32('replica', replicaMax);
      const payload = r.bytes('payload', wireLimits.messageBytesMax);
      return { type: 'newView', view, replica, payload, signature: sig(r) };
    }
    case TAGS.fetchBatches: {
      const fromSeq = r.u64('fromSeq');
      const toSeq = r.u64('toSeq');
      return { type: 'fetchBatches', fromSeq, toSeq, replica: r.u32('replica', replicaMax) };
    }
    case TAGS.batches: {
      const count = r.count('batch count', wireLimits.batchesPerMessageMax, 16);
      const batches: CommittedBatch[] = [];
      for (let i = 0; i < count; i++) batches.push(readBatch(r));
      return { type: 'batches', batches, replica: r.u32('replica', replicaMax) };
    }
    case TAGS.fetchBody: {
      const seq = r.u64('seq');
      const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
      return { type: 'fetchBody', seq, batchDigest, replica: r.u32('replica', replicaMax) };
    }
    case TAGS.body: {
      const seq = r.u64('seq');
      const batchDigest = r.fixed(HASH_BYTES, 'batch digest');
      const requests = readRequests(r);
      return { type: 'body', seq, batchDigest, requests, replica: r.u32('replica', replicaMax) };
    }
    default:
      return malformed(`unknown type tag ${tag}`);
  }
}

function sig(r: ByteReader): Uint8Array {
  return r.fixed(SIGNATURE_BYTES, 'signature');
}
