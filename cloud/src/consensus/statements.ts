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

/**
 * Requests arrays decoded from a frame, with their bytes in that frame (a view: the bodies are
 * views of the same frame, so this keeps nothing alive that they do not). Weak: an entry goes with
 * its array.
 */
const decodedEncodings = new WeakMap<readonly ClientRequest[], Uint8Array>();

/** Called by the decoder: `bytes` are the encoding `requests` were decoded from. */
export function rememberRequestsEncoding(requests: readonly ClientRequest[], bytes: Uint8Array): void {
  decodedEncodings.set(requests, bytes);
}

/**
 * Whether `bytes` are exactly `encodeRequests(requests)` with every body a view of its own place in
 * them: then nothing about the requests can differ from the bytes (a body changed in place changed
 * the bytes too; a request replaced, reordered or renumbered fails here). O(requests), no hashing.
 */
export function encodesExactly(bytes: Uint8Array, requests: readonly ClientRequest[]): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint32(0) !== requests.length) return false;
  let at = 4;
  for (const r of requests) {
    if (at + 4 > bytes.length) return false;
    const submitterBytes = view.getUint32(at);
    at += 4;
    if (at + submitterBytes + 12 > bytes.length) return false;
    const submitter = Buffer.from(bytes.buffer, bytes.byteOffset + at, submitterBytes);
    if (!submitter.equals(Buffer.from(r.submitter, 'utf8'))) return false;
    at += submitterBytes;
    if (view.getBigUint64(at) !== BigInt(r.seq)) return false;
    const bodyBytes = view.getUint32(at + 8);
    at += 12;
    const b = r.body;
    if (b.buffer !== bytes.buffer || b.byteOffset !== bytes.byteOffset + at || b.length !== bodyBytes) {
      return false;
    }
    at += bodyBytes;
  }
  return at === bytes.length;
}

/** A scratch writer above this size is dropped after use instead of being kept for the next batch. */
export const scratchBytesMax = 8 * 1_048_576;
let scratch: ByteWriter | null = null;

/**
 * `use(encodeRequests(requests))` without a fresh buffer: the bytes the requests were decoded from
 * when a frame brought them (a backup's pre-prepare), else the encoding written into a grow-only
 * scratch buffer reused across batches (the primary's batch). For callers that use the bytes synchronously and keep none of them (hashing,
 * binding to an SQLite statement): a fresh ~1 MB buffer per batch cost ~250 first-touch page
 * faults (several ms of CPU on this VM), the reused one none. The bytes are valid only inside
 * `use`; a nested call takes a writer of its own.
 */
export function withRequestsEncoding<T>(
  requests: readonly ClientRequest[],
  use: (bytes: Uint8Array) => T,
): T {
  const decoded = decodedEncodings.get(requests);
  if (decoded !== undefined && encodesExactly(decoded, requests)) return use(decoded);
  const expected = requestsBytesExpected(requests);
  const writer = scratch === null ? new ByteWriter(expected) : scratch.reset(expected);
  scratch = null;
  writer.u32(requests.length);
  for (const request of requests) writeRequest(writer, request);
  try {
    return use(writer.written());
  } finally {
    if (writer.capacity <= scratchBytesMax) scratch = writer;
  }
}

/** The batch digest: consensus-domain hash of the requests' binary encoding (empty = null request). */
export function batchDigestOf(crypto: ConsensusCrypto, requests: readonly ClientRequest[]): Uint8Array {
  return withRequestsEncoding(requests, (bytes) => crypto.digest(bytes));
}

/** A request's identity: (submitter, seq) executes at most once. */
export function requestKey(request: ClientRequest): string {
  return `${request.submitter}\u0000${request.seq}`;
}

export function requestBytes(request: ClientRequest): number {
  return request.body.length + request.submitter.length + 8;
}
