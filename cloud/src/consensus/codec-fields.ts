import { limits, SIGNATURE_BYTES } from '@suyuan/shared';
import { rememberRequestsEncoding, writeRequest } from './statements.ts';
import type { ClientRequest, ReplicaSignature } from './types.ts';
import { type ByteReader, type ByteWriter, malformed } from './wire.ts';

/**
 * The consensus codec's limits and its request and signature lists (codec.ts re-exports them; the
 * grouped codec uses them too). `wireLimits` bound every field before anything is allocated.
 */
export const wireLimits = {
  messageBytesMax: 64 * 1_048_576,
  replicasMax: 1024,
  requestsPerBatchMax: 4096,
  requestBodyBytesMax: limits.submissionBytesMax,
  submitterBytesMax: 256,
  batchesPerMessageMax: 256,
  preparedPerViewChangeMax: 4096,
  viewChangesPerNewViewMax: 1024,
} as const;

const REQUEST_BYTES_MIN = 4 + 8 + 4;
const SIGNATURE_ENTRY_BYTES = 4 + SIGNATURE_BYTES;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function writeSignatures(writer: ByteWriter, signatures: readonly ReplicaSignature[]): void {
  writer.u32(signatures.length);
  for (const s of signatures) writer.u32(s.replica).fixed(s.signature);
}

export function readSignatures(reader: ByteReader): ReplicaSignature[] {
  const count = reader.count('signature count', wireLimits.replicasMax, SIGNATURE_ENTRY_BYTES);
  const out: ReplicaSignature[] = [];
  for (let i = 0; i < count; i++) {
    const replica = reader.u32('signer', wireLimits.replicasMax - 1);
    out.push({ replica, signature: reader.fixed(SIGNATURE_BYTES, 'signature') });
  }
  return out;
}

export function writeRequests(writer: ByteWriter, requests: readonly ClientRequest[]): void {
  writer.u32(requests.length);
  for (const request of requests) writeRequest(writer, request);
}

export function readRequest(reader: ByteReader): ClientRequest {
  const submitterBytes = reader.bytes('submitter', wireLimits.submitterBytesMax);
  let submitter: string;
  try {
    submitter = utf8Decoder.decode(submitterBytes);
  } catch {
    return malformed('submitter is not UTF-8');
  }
  const seq = reader.u64('request seq');
  const body = reader.bytes('request body', wireLimits.requestBodyBytesMax);
  return { submitter, seq, body };
}

export function readRequests(reader: ByteReader): ClientRequest[] {
  const from = reader.position;
  const count = reader.count('request count', wireLimits.requestsPerBatchMax, REQUEST_BYTES_MIN);
  const out: ClientRequest[] = [];
  for (let i = 0; i < count; i++) out.push(readRequest(reader));
  // The bodies are views of a frame: its bytes of the batch serve its digest and its stored row.
  if (reader.keepsViews) rememberRequestsEncoding(out, reader.readSince(from));
  return out;
}
