import { attestationBytes } from '@suyuan/shared';
import type { ResolvedConfig } from './config.ts';
import { primaryOf } from './config.ts';
import type { ViewChangePayload } from './payload.ts';
import { countValidSignatures } from './quorum.ts';
import { batchDigestOf, prePrepareBytes, prepareBytes } from './statements.ts';
import type { ClientRequest, ConsensusCrypto, PreparedProof, StateCertificate } from './types.ts';

/**
 * View-change rules from Castro & Liskov (TOCS'02 §4.4), as pure functions so the new primary and
 * every backup compute and check the same O set.
 */

export interface ViewChangeContext {
  config: ResolvedConfig;
  crypto: ConsensusCrypto;
}

/** Is this a valid stable-checkpoint certificate (quorum of attests for a checkpoint seq)? */
export function checkpointValid(ctx: ViewChangeContext, cert: StateCertificate): boolean {
  const { config, crypto } = ctx;
  if (cert.seq === 0 || cert.seq % config.checkpointInterval !== 0) return false;
  const message = attestationBytes(cert.seq, cert.stateDigest);
  const verify = crypto.verifyReplica.bind(crypto);
  const counted = countValidSignatures(cert.signatures, message, verify, {
    n: config.n,
    needed: config.quorum,
  });
  return counted >= config.quorum;
}

/**
 * Pre-prepare by the view's primary plus quorum - 1 prepares from other replicas, all matching.
 * The signatures cover the batch digest, so the proof needs no body: whoever executes the batch
 * gets the body separately and checks it against this digest.
 */
export function preparedCertificateValid(ctx: ViewChangeContext, cert: PreparedProof): boolean {
  const { config, crypto } = ctx;
  const primary = primaryOf(cert.view, config.n);
  const ppBytes = prePrepareBytes(cert.view, cert.seq, cert.batchDigest);
  if (!crypto.verifyReplica(primary, ppBytes, cert.prePrepareSignature)) return false;
  const needed = config.quorum - 1;
  const verify = crypto.verifyReplica.bind(crypto);
  const message = prepareBytes(cert.view, cert.seq, cert.batchDigest);
  const counted = countValidSignatures(cert.prepares, message, verify, {
    n: config.n,
    needed,
    exclude: primary,
  });
  return counted >= needed;
}

/** Null when valid, else the reason. Signature over the message is checked by the caller. */
export function viewChangeInvalidReason(
  ctx: ViewChangeContext,
  newView: number,
  payload: ViewChangePayload,
): string | null {
  const checkpointSeq = payload.checkpoint?.seq ?? 0;
  if (payload.checkpoint !== null && !checkpointValid(ctx, payload.checkpoint)) return 'badCheckpoint';
  let previous = checkpointSeq;
  for (const cert of payload.prepared) {
    if (cert.seq <= previous) return 'preparedOrder';
    if (cert.seq > checkpointSeq + ctx.config.watermarkWindow) return 'preparedOutOfWindow';
    if (cert.view >= newView) return 'preparedView';
    if (!preparedCertificateValid(ctx, cert)) return 'badPrepared';
    previous = cert.seq;
  }
  return null;
}

export interface NewViewEntry {
  seq: number;
  batchDigest: Uint8Array;
  /** The body when the plan knows it (null requests: empty); null = look it up or fetch it. */
  requests: ClientRequest[] | null;
}

export interface NewViewPlan {
  /** The highest valid stable checkpoint among V (null = genesis). */
  checkpoint: StateCertificate | null;
  /** min-s of the paper: the checkpoint's seq. */
  minSeq: number;
  /** max-s: highest prepared seq in V (min-s when there is none). */
  maxSeq: number;
  /** O: one pre-prepare per seq in (min-s, max-s]; gaps are null requests (empty batches). */
  entries: NewViewEntry[];
}

/**
 * The O set: for every seq between the newest stable checkpoint and the highest prepared seq in V,
 * the batch prepared in the highest view, or a null request when nobody in V prepared that seq.
 * Input payloads must already be valid. Deterministic: ties (impossible with ≤ f faults) go to the
 * first view change in V order.
 */
export function computeNewViewPlan(
  ctx: ViewChangeContext,
  viewChanges: readonly ViewChangePayload[],
): NewViewPlan {
  let checkpoint: StateCertificate | null = null;
  for (const vc of viewChanges) {
    if (vc.checkpoint !== null && (checkpoint === null || vc.checkpoint.seq > checkpoint.seq)) {
      checkpoint = vc.checkpoint;
    }
  }
  const minSeq = checkpoint?.seq ?? 0;
  const best = new Map<number, PreparedProof>();
  let maxSeq = minSeq;
  for (const vc of viewChanges) {
    for (const cert of vc.prepared) {
      if (cert.seq <= minSeq) continue;
      const current = best.get(cert.seq);
      if (current === undefined || cert.view > current.view) best.set(cert.seq, cert);
      if (cert.seq > maxSeq) maxSeq = cert.seq;
    }
  }
  const entries: NewViewEntry[] = [];
  for (let seq = minSeq + 1; seq <= maxSeq; seq++) {
    const cert = best.get(seq);
    if (cert === undefined) entries.push({ seq, batchDigest: batchDigestOf(ctx.crypto, []), requests: [] });
    else entries.push({ seq, batchDigest: cert.batchDigest, requests: null });
  }
  return { checkpoint, minSeq, maxSeq, entries };
}
