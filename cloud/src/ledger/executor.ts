import {
  type ItemLink,
  isSuyuanError,
  type JsonValue,
  type LedgerTx,
  merkleAllProofs,
  type Reading,
  type SignedHeader,
  type SubmitRequest,
  toBase64Url,
} from '@suyuan/shared';
import type { BlockAssembler } from './block-assembler.ts';
import type { SubmissionTx } from './chain-store.ts';
import { type LedgerConfig, routeChain } from './config.ts';
import { touchedIds, traceEventModel } from './event-model.ts';
import { readingBatchTxText } from './reading-batch-tx.ts';
import { checkRegistryAction } from './rules/registry-rules.ts';
import { checkTelemetryBatch } from './rules/telemetry-rules.ts';
import { checkTraceEvent } from './rules/trace-rules.ts';
import type { Rejection, RuleContext, RuleResult } from './state.ts';
import type { StateStore } from './state-store.ts';
import type { SubmissionDigest } from './submission-digest.ts';

/**
 * Executes one authorised submission: validates each payload against the state as the previous
 * payloads left it, applies the accepted effects, and turns payloads into ledger transactions
 * (one per registry action or event, one per reading batch). The caller runs this inside a
 * savepoint and undoes everything when it returns a rejection: a submission is all or nothing.
 */

export type Execution = { ok: true; txs: SubmissionTx[] } | ({ ok: false; payloadIndex: number } & Rejection);

export interface ExecutionEnv {
  state: StateStore;
  assembler: BlockAssembler;
  config: LedgerConfig;
  ctx: RuleContext;
}

/** `digest`: the submission's header, payload leaves and texts, computed once at decode. */
export function executeSubmission(
  env: ExecutionEnv,
  request: SubmitRequest,
  digest: SubmissionDigest,
): Execution {
  const s = request.submission;
  const { header } = digest;
  const signed: SignedHeader = {
    submitter: s.submitter,
    seq: s.seq,
    created: s.created,
    payloadCount: header.payloadCount,
    payloadsRoot: header.payloadsRoot,
    signature: s.signature,
    publicKey: request.publicKey,
  };
  if (s.payloads.every((p) => p.kind === 'reading')) return executeReadings(env, signed, s.payloads, digest);

  const paths = merkleAllProofs(digest.leaves);
  const txs: SubmissionTx[] = [];
  for (const [i, payload] of s.payloads.entries()) {
    if (payload.kind === 'reading') throw new Error('unreachable: mixed payloads pass the wire schema');
    let result: RuleResult;
    let links: ItemLink[] = [];
    let touched: string[] = [];
    let chainKind: 'registry' | 'trace';
    if (payload.kind === 'registry') {
      chainKind = 'registry';
      result = checkRegistryAction(env.state, env.ctx, payload.action);
    } else {
      chainKind = 'trace';
      const model = modelOrRejection(payload.event);
      if ('code' in model) return { ok: false, payloadIndex: i, ...model };
      result = checkTraceEvent(env.state, env.ctx, model);
      touched = touchedIds(model).map((id) => id.key);
    }
    if (!result.ok) return { ok: false, payloadIndex: i, code: result.code, message: result.message };
    for (const effect of result.effects) env.state.apply(effect);
    links = touched.map((item) => ({ item, prev: env.state.lastEvent(item) }));
    const tx: LedgerTx = {
      v: 1,
      kind: 'payload',
      signed,
      payloadIndex: i,
      payloadPath: paths[i]!.map(toBase64Url),
      payload: payload as JsonValue,
      links,
    };
    const chain = routeChain(env.config, chainKind, env.ctx.participant.id);
    const at = env.assembler.add(chain, tx);
    const leafHash = toBase64Url(at.leafHash);
    for (const item of touched) env.state.recordItemEvent(item, { ...at, leafHash });
    txs.push({ chain, height: at.height, index: at.index, payloadIndexes: [i] });
  }
  return { ok: true, txs };
}

function modelOrRejection(event: unknown): ReturnType<typeof traceEventModel> | Rejection {
  try {
    return traceEventModel(event);
  } catch (error) {
    if (!isSuyuanError(error)) throw error;
    const invalid = error.code === 'event.invalid' || error.code === 'epcis.invalid';
    return { code: invalid ? 'event.invalid' : 'event.badIdentity', message: error.message };
  }
}

function executeReadings(
  env: ExecutionEnv,
  signed: SignedHeader,
  payloads: { kind: 'reading'; reading: Reading }[],
  digest: SubmissionDigest,
): Execution {
  const result = checkTelemetryBatch(
    env.state,
    env.ctx,
    payloads.map((p) => p.reading),
  );
  if (!result.ok)
    return { ok: false, payloadIndex: result.payloadIndex, code: result.code, message: result.message };
  for (const effect of result.effects) env.state.apply(effect);
  const tx = { v: 1, kind: 'readingBatch', signed, payloads, gaps: result.gaps } satisfies LedgerTx;
  const chain = routeChain(env.config, 'telemetry', env.ctx.participant.id);
  const spliced = readingBatchTxText(tx, digest.payloadsText, digest.payloadsBytes, (bytes) =>
    env.assembler.txMemory(bytes),
  );
  const at =
    'bytes' in spliced
      ? env.assembler.add(chain, tx, spliced.bytes, spliced.leafHash)
      : env.assembler.add(chain, tx, spliced.text);
  for (const gap of result.gaps) env.state.recordGap(gap, at);
  env.state.recordDeviceReadings(
    payloads.map((p) => p.reading),
    at,
  );
  return {
    ok: true,
    txs: [{ chain, height: at.height, index: at.index, payloadIndexes: payloads.map((_, i) => i) }],
  };
}
