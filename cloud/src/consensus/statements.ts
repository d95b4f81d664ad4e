import { concatBytes, domainHash, utf8 } from '@suyuan/shared';
import type { ClientRequest, ConsensusCrypto } from './types.ts';
import { ByteWriter } from './wire.ts';

/**
 * The bytes replicas sign for the consensus-internal statements (commit votes and attestations are
 * defined in shared/certificate.ts because outsiders check them). Each starts with its own 8-byte
 * context so no statement can be replayed as another kind.
 */
const PRE_PREPARE = utf8('SY-PPR1\n');
const PREPARE = utf8('SY-PRP1\n');
const VIEW_CHANGE = utf8('SY-VCH1\n');
const NEW_VIEW = utf8('SY-NVW1\n');

function u64(value: number): Uint8Array {
  return new ByteWriter(8).u64(value).finish();
}

export function prePrepareBytes(view: number, seq: number, batchDigest: Uint8Array): Uint8Array {
  return concatBytes(PRE_PREPARE, u64(view), u64(seq), batchDigest);
}

export function prepareBytes(view: number, seq: number, batchDigest: Uint8Array): Uint8Array {
  return concatBytes(PREPARE, u64(view), u64(seq), batchDigest);
}

export function viewChangeBytes(newView: number, replica: number, payload: Uint8Array): Uint8Array {
  return concatBytes(VIEW_CHANGE, u64(newView), u64(replica), domainHash('consensusVote', payload));
}

export function newViewBytes(view: number, replica: number, payload: Uint8Array): Uint8Array {
  return concatBytes(NEW_VIEW, u64(view), u64(replica), domainHash('consensusVote', payload));
}

export function writeRequest(writer: ByteWriter, request: ClientRequest): void {
  writer.bytes(utf8(request.submitter)).u64(request.seq).bytes(request.body);
}

/**
 * At least the bytes `writeRequest` writes for these requests (a submitter's UTF-8 is at most 3
 * bytes per UTF-16 unit), to size a writer once instead of growing it through a 1 MB batch.
 */
export function requestsBytesExpected(requests: readonly ClientRequest[]): number {
  let bytes = 4;
  for (const r of requests) bytes += 4 + 3 * r.submitter.length + 8 + 4 + r.body.length;
  return bytes;
}

export function encodeRequests(requests: readonly ClientRequest[]): Uint8Array {
  const writer = new ByteWriter(requestsBytesExpected(requests)).u32(requests.length);
  for (const request of requests) writeRequest(writer, request);
  return writer.finish();
}

/** The batch digest: consensus-domain hash of the requests' binary encoding (empty = null request). */
export function batchDigestOf(crypto: ConsensusCrypto, requests: readonly ClientRequest[]): Uint8Array {
  return crypto.digest(encodeRequests(requests));
}

/** A request's identity: (submitter, seq) executes at most once. */
export function requestKey(request: ClientRequest): string {
  return `${request.submitter}\u0000${request.seq}`;
}

export function requestBytes(request: ClientRequest): number {
  return request.body.length + request.submitter.length + 8;
}
