import type { Db } from '../gateway/database.ts';

/** `PRAGMA synchronous` reads FULL as 2. */
const synchronousFull = 2;

/**
 * Uploader state changes (accepted, retry, committed, dead) committed without waiting for the disk
 * (WAL `synchronous=NORMAL`, for that one commit). Any of them may be lost to a power cut without
 * harm: the row falls back to an earlier state and is sent or asked again, and the cloud
 * deduplicates by (gateway key, seq). A process crash loses nothing (the commit is in the OS), and
 * the next FULL commit (an ingest flush) syncs the WAL with these frames in it. Each fsync cost
 * ~0.2 ms of CPU and ~2 ms of the event loop on the bench machine, two or three times per
 * submission. Only a connection that syncs every commit is relaxed, and inside a caller's
 * transaction the change is left to that transaction.
 */
export class StateCommits {
  private readonly db: Db;
  private readonly relax: boolean;

  constructor(db: Db) {
    this.db = db;
    this.relax = db.pragma('synchronous', { simple: true }) === synchronousFull;
  }

  run(change: () => unknown): void {
    if (!this.relax || this.db.inTransaction) {
      change();
      return;
    }
    // Not prepared statements: SQLite applies this pragma when it compiles it, not when it runs.
    this.db.pragma('synchronous = NORMAL');
    try {
      change();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }
}
