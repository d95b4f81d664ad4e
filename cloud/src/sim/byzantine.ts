import { commitVoteBytes, type Rng } from '@suyuan/shared';
import { encodeMessage } from '../consensus/codec.ts';
import { decodeNewViewPayload, encodeNewViewPayload } from '../consensus/payload.ts';
import { batchDigestOf, newViewBytes, prePrepareBytes, prepareBytes } from '../consensus/statements.ts';
import type { ConsensusCrypto, ConsensusMessage } from '../consensus/types.ts';

/**
 * Byzantine behaviours, as transformations of what an otherwise honest core sends. A byzantine
 * replica holds its own private key only: it can sign anything as itself, nothing as another.
 * 'twin' is not a transformation: two honest cores share one key and id (see the cluster).
 */
export type Behavior = 'honest' | 'silent' | 'equivocate' | 'badDigest' | 'forge' | 'twin';

export const byzantineBehaviors: readonly Behavior[] = ['silent', 'equivocate', 'badDigest', 'forge', 'twin'];

export interface ByzantineContext {
  rng: Rng;
  crypto: ConsensusCrypto;
  replica: number;
  n: number;
}

type Out = { to: number; bytes: Uint8Array };

function randomDigest(rng: Rng): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => rng.int(256));
}

/** What a byzantine replica sends to `to` instead of the honest `message`. */
export function misbehave(
  behavior: Behavior,
  ctx: ByzantineContext,
  to: number,
  message: ConsensusMessage,
): Out[] {
  const honest = (): Out[] => [{ to, bytes: encodeMessage(message) }];
  switch (behavior) {
    case 'honest':
    case 'twin':
      return honest();
    case 'silent':
      return [];
    case 'equivocate':
      return to % 2 === 0 ? [{ to, bytes: encodeMessage(conflicting(ctx, message)) }] : honest();
    case 'badDigest':
      return [{ to, bytes: encodeMessage(withBadDigest(ctx, message)) }];
    case 'forge':
      return [...honest(), ...forgeries(ctx, to, message)];
  }
}

/** A NEW-VIEW whose O set was tampered with (one digest swapped), re-signed by its primary. */
function tamperedNewView(
  ctx: ByzantineContext,
  m: Extract<ConsensusMessage, { type: 'newView' }>,
): ConsensusMessage {
  const payload = decodeNewViewPayload(m.payload);
  const batchDigest = randomDigest(ctx.rng);
  const seq = payload.orders.at(-1)?.seq ?? 1;
  const order = { seq, batchDigest, signature: ctx.crypto.sign(prePrepareBytes(m.view, seq, batchDigest)) };
  const orders = payload.orders.length > 0 ? [...payload.orders.slice(0, -1), order] : [order];
  const bytes = encodeNewViewPayload({ ...payload, orders });
  return { ...m, payload: bytes, signature: ctx.crypto.sign(newViewBytes(m.view, m.replica, bytes)) };
}

/** A different but validly signed statement for the same (view, seq): equivocation. */
function conflicting(ctx: ByzantineContext, m: ConsensusMessage): ConsensusMessage {
  if (m.type === 'newView' && m.replica === ctx.replica) return tamperedNewView(ctx, m);
  if (m.type === 'prePrepare') {
    const requests = m.requests.length > 0 ? m.requests.slice(1) : m.requests;
    const batchDigest = batchDigestOf(ctx.crypto, requests);
    const signature = ctx.crypto.sign(prePrepareBytes(m.view, m.seq, batchDigest));
    return { ...m, requests, batchDigest, signature };
  }
  if (m.type === 'prepare' || m.type === 'commit') {
    const batchDigest = randomDigest(ctx.rng);
    const bytes =
      m.type === 'prepare'
        ? prepareBytes(m.view, m.seq, batchDigest)
        : commitVoteBytes(m.view, m.seq, batchDigest);
    return { ...m, batchDigest, signature: ctx.crypto.sign(bytes) };
  }
  return m;
}

/** Pre-prepares whose digest does not match their requests (validly signed), random votes. */
function withBadDigest(ctx: ByzantineContext, m: ConsensusMessage): ConsensusMessage {
  if (m.type === 'prePrepare') {
    const batchDigest = randomDigest(ctx.rng);
    return { ...m, batchDigest, signature: ctx.crypto.sign(prePrepareBytes(m.view, m.seq, batchDigest)) };
  }
  return ctx.rng.chance(0.5) ? conflicting(ctx, m) : m;
}

/** Votes claiming another replica's id, votes with garbage signatures, garbage bytes. */
function forgeries(ctx: ByzantineContext, to: number, m: ConsensusMessage): Out[] {
  const out: Out[] = [];
  if (m.type === 'viewChange') {
    const other = (ctx.replica + 1 + ctx.rng.int(ctx.n - 1)) % ctx.n;
    out.push({ to, bytes: encodeMessage({ ...m, replica: other }) });
    out.push({ to, bytes: encodeMessage({ ...m, newView: m.newView + 1 }) });
  }
  if (m.type === 'prepare' || m.type === 'commit' || m.type === 'attest') {
    const other = (ctx.replica + 1 + ctx.rng.int(ctx.n - 1)) % ctx.n;
    out.push({ to, bytes: encodeMessage({ ...m, replica: other }) });
    const garbage = Uint8Array.from({ length: 64 }, () => ctx.rng.int(256));
    out.push({ to, bytes: encodeMessage({ ...m, signature: garbage }) });
  }
  if (ctx.rng.chance(0.1)) {
    const bytes = encodeMessage(m);
    const flipped = bytes.slice();
    const at = ctx.rng.int(flipped.length);
    flipped[at] = (flipped[at] ?? 0) ^ (1 << ctx.rng.int(8));
    out.push({ to, bytes: flipped });
    out.push({ to, bytes: bytes.slice(0, ctx.rng.int(bytes.length)) });
    out.push({ to, bytes: Uint8Array.from({ length: ctx.rng.int(40) }, () => ctx.rng.int(256)) });
  }
  return out;
}
