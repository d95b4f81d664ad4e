import { type BlockHeader, InputError, type RejectionReason } from '@suyuan/shared';
import type Database from 'better-sqlite3';
import type { KeyRecord, Participant } from './state.ts';
import type { StateStore } from './state-store.ts';

/** Read-only views for the API: participants, chains, blocks and rejections, paginated by key. */

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface RejectionView {
  submitter: string;
  seq: number;
  batchSeq: number;
  reason: RejectionReason;
}

export class LedgerViews {
  private readonly state: StateStore;
  private readonly stmt;

  constructor(db: Database.Database, state: StateStore) {
    this.state = state;
    this.stmt = {
      keysOf: db.prepare(
        'SELECT key_id, participant_id, public_key, revoked_reason FROM keys WHERE participant_id = ? ORDER BY key_id',
      ),
      devicesOf: db.prepare('SELECT device_id FROM devices WHERE gateway = ? ORDER BY device_id'),
      heads: db.prepare('SELECT chain, MAX(height) AS height FROM blocks GROUP BY chain'),
      blocks: db.prepare(
        'SELECT height, header FROM blocks WHERE chain = ? AND height < ? ORDER BY height DESC LIMIT ?',
      ),
      rejections: db.prepare(
        `SELECT submitter, seq, batch_seq, reason FROM submissions
         WHERE status = 'rejected' AND (? IS NULL OR submitter = ?) AND (batch_seq, submitter, seq) < (?, ?, ?)
         ORDER BY batch_seq DESC, submitter DESC, seq DESC LIMIT ?`,
      ),
    };
  }

  participant(id: string): (Participant & { keys: (KeyRecord & { devices: string[] })[] }) | null {
    const p = this.state.participant(id);
    if (!p) return null;
    const keys = (
      this.stmt.keysOf.all(id) as {
        key_id: string;
        participant_id: string;
        public_key: string;
        revoked_reason: string | null;
      }[]
    ).map((k) => ({
      keyId: k.key_id,
      participantId: k.participant_id,
      publicKey: k.public_key,
      revokedReason: k.revoked_reason,
      devices: (this.stmt.devicesOf.all(k.key_id) as { device_id: string }[]).map((d) => d.device_id),
    }));
    return { ...p, keys };
  }

  heads(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.stmt.heads.all() as { chain: string; height: number }[])
      out[row.chain] = row.height;
    return out;
  }

  /** Newest first. */
  blocks(chain: string, before: number, limit: number): Page<BlockHeader> {
    const rows = this.stmt.blocks.all(chain, before, limit) as { height: number; header: string }[];
    const last = rows.at(-1);
    return {
      items: rows.map((r) => JSON.parse(r.header) as BlockHeader),
      next: rows.length === limit && last && last.height > 1 ? String(last.height) : null,
    };
  }

  /** Newest first; `after` is the `next` of the previous page (`batchSeq:submitter:seq`). */
  rejections(submitter: string | null, after: string | null, limit: number): Page<RejectionView> {
    const [b, s, q] = after === null ? [Number.MAX_SAFE_INTEGER, '\uffff', 0] : parseCursor(after);
    const rows = this.stmt.rejections.all(submitter, submitter, b, s, q, limit) as {
      submitter: string;
      seq: number;
      batch_seq: number;
      reason: string;
    }[];
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({
        submitter: r.submitter,
        seq: r.seq,
        batchSeq: r.batch_seq,
        reason: JSON.parse(r.reason) as RejectionReason,
      })),
      next: rows.length === limit && last ? `${last.batch_seq}:${last.submitter}:${last.seq}` : null,
    };
  }
}

function parseCursor(text: string): [number, string, number] {
  const m = /^(\d{1,15}):([A-Za-z0-9_-]{1,64}):(\d{1,15})$/.exec(text);
  if (!m) throw new InputError('page.badCursor', 'after is not a cursor this API returned');
  return [Number(m[1]), m[2]!, Number(m[3])];
}
