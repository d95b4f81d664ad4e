import { InputError } from '@suyuan/shared';
import { readRequests, readSignatures, writeRequests, writeSignatures } from '../consensus/codec.ts';
import type { ClientRequest, CommitCertificate, CommittedBatch } from '../consensus/types.ts';
import { ByteReader, ByteWriter } from '../consensus/wire.ts';

/**
 * A certified group decision as a top-level "request": submitter `gpbft-group-<j>`, seq = the group
 * sequence number, body = the group batch's view, requests and group commit certificate. The top
 * core orders these like client requests; (group, groupSeq) is the request identity.
 */
export interface GroupDecision {
  group: number;
  groupSeq: number;
  requests: ClientRequest[];
  certificate: CommitCertificate;
}

const SUBMITTER_PREFIX = 'gpbft-group-';

export function groupSubmitter(group: number): string {
  return `${SUBMITTER_PREFIX}${group}`;
}

/** The group a top-level submitter names, or null (client submitters never match: no '-' digits form). */
export function groupOfSubmitter(submitter: string): number | null {
  if (!submitter.startsWith(SUBMITTER_PREFIX)) return null;
  const text = submitter.slice(SUBMITTER_PREFIX.length);
  if (!/^(0|[1-9][0-9]{0,5})$/.test(text)) return null;
  return Number(text);
}

export function topRequestOf(group: number, batch: CommittedBatch): ClientRequest {
  const writer = new ByteWriter().u64(batch.certificate.view);
  writeRequests(writer, batch.requests);
  writeSignatures(writer, batch.certificate.signatures);
  return { submitter: groupSubmitter(group), seq: batch.seq, body: writer.finish() };
}

/** Decodes a top-level request back into its group decision; throws InputError when malformed. */
export function decodeGroupDecision(request: ClientRequest): GroupDecision {
  const group = groupOfSubmitter(request.submitter);
  if (group === null) throw new InputError('consensus.malformed', 'not a group decision');
  const reader = new ByteReader(request.body);
  const view = reader.u64('group view');
  const requests = readRequests(reader);
  const signatures = readSignatures(reader);
  reader.end();
  const certificate: CommitCertificate = {
    view,
    seq: request.seq,
    batchDigest: new Uint8Array(32),
    signatures,
  };
  return { group, groupSeq: request.seq, requests, certificate: { ...certificate } };
}

/**
 * The client requests a top-level batch orders, in order: each group decision's requests in turn.
 * Duplicates (a decision re-proposed by a new representative, a request in two group batches) stay:
 * the application skips any (submitter, seq) it already executed, deterministically everywhere.
 */
export function flattenTopBatch(topRequests: readonly ClientRequest[]): ClientRequest[] {
  const out: ClientRequest[] = [];
  for (const request of topRequests) out.push(...decodeGroupDecision(request).requests);
  return out;
}
