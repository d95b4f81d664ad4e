import { HASH_BYTES, SIGNATURE_BYTES } from '@suyuan/shared';
import { wireLimits } from './codec.ts';
import type { ClientRequest, CommittedBatch, ConsensusMessage } from './types.ts';

/**
 * Structural check of a message handed to step() in-process (decodeMessage already guarantees this
 * for bytes off the wire): right field types, fixed sizes, bounded lengths. Null when well formed.
 */
export function shapeProblem(message: ConsensusMessage): string | null {
  if (typeof message !== 'object' || message === null) return 'not an object';
  const m = message as unknown as Record<string, unknown>;
  switch (message.type) {
    case 'request':
      return requestOk(message.request) ? null : 'request';
    case 'prePrepare':
      return ints(m, 'view', 'seq') &&
        digest(m.batchDigest) &&
        sig(m.signature) &&
        requestsOk(message.requests)
        ? null
        : 'prePrepare';
    case 'prepare':
    case 'commit':
      return ints(m, 'view', 'seq', 'replica') && digest(m.batchDigest) && sig(m.signature) ? null : 'vote';
    case 'attest':
      return ints(m, 'seq', 'replica') && digest(m.stateDigest) && sig(m.signature) ? null : 'attest';
    case 'viewChange':
      return ints(m, 'newView', 'replica') && bytes(m.payload) && sig(m.signature) ? null : 'viewChange';
    case 'newView':
      return ints(m, 'view', 'replica') && bytes(m.payload) && sig(m.signature) ? null : 'newView';
    case 'fetchBatches':
      return ints(m, 'fromSeq', 'toSeq', 'replica') ? null : 'fetchBatches';
    case 'batches':
      return ints(m, 'replica') &&
        Array.isArray(message.batches) &&
        message.batches.length <= wireLimits.batchesPerMessageMax &&
        message.batches.every(batchOk)
        ? null
        : 'batches';
    case 'fetchBody':
      return ints(m, 'seq', 'replica') && digest(m.batchDigest) ? null : 'fetchBody';
    case 'body':
      return ints(m, 'seq', 'replica') && digest(m.batchDigest) && requestsOk(message.requests)
        ? null
        : 'body';
    default:
      return 'unknown type';
  }
}

function ints(m: Record<string, unknown>, ...names: string[]): boolean {
  return names.every((name) => {
    const value = m[name];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  });
}

function bytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function digest(value: unknown): boolean {
  return bytes(value) && value.length === HASH_BYTES;
}

function sig(value: unknown): boolean {
  return bytes(value) && value.length === SIGNATURE_BYTES;
}

function requestOk(r: ClientRequest): boolean {
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.submitter === 'string' &&
    r.submitter.length <= wireLimits.submitterBytesMax &&
    Number.isSafeInteger(r.seq) &&
    r.seq >= 0 &&
    bytes(r.body) &&
    r.body.length <= wireLimits.requestBodyBytesMax
  );
}

function requestsOk(requests: unknown): boolean {
  return (
    Array.isArray(requests) &&
    requests.length <= wireLimits.requestsPerBatchMax &&
    requests.every((r) => requestOk(r as ClientRequest))
  );
}

function batchOk(batch: CommittedBatch): boolean {
  const b = batch as unknown as Record<string, unknown>;
  if (typeof batch !== 'object' || batch === null || !ints(b, 'seq', 'view')) return false;
  const cert = batch.certificate as unknown as Record<string, unknown> | null;
  if (typeof cert !== 'object' || cert === null || !ints(cert, 'view', 'seq') || !digest(cert.batchDigest)) {
    return false;
  }
  const signatures = cert.signatures;
  return (
    requestsOk(batch.requests) &&
    Array.isArray(signatures) &&
    signatures.length <= wireLimits.replicasMax &&
    signatures.every(
      (s: { replica?: unknown; signature?: unknown }) =>
        typeof s === 'object' && s !== null && typeof s.replica === 'number' && sig(s.signature),
    )
  );
}
