import type Database from 'better-sqlite3';
import type { AppMetrics } from './replica-metrics.ts';

export interface LedgerMetricsSource {
  db: Database.Database;
  config: { chains: readonly { name: string }[] };
  chains: { head(chain: string): { height: number } | null };
}

/**
 * Reads the ledger's figures for /metrics: each chain's head height (one index lookup per chain)
 * and rejected submissions by code. Rejections are counted incrementally: each scrape reads only
 * rows of batches after the last one it saw (the `submissions_by_status` index), so a scrape costs
 * the new rejections, not the whole history. The first scrape after a start counts them all.
 */
export function ledgerMetricsReader(ledger: LedgerMetricsSource): () => AppMetrics {
  const rejections: Record<string, number> = {};
  let afterBatch = 0;
  const newRejections = ledger.db.prepare(
    `SELECT batch_seq AS batchSeq, json_extract(reason, '$.code') AS code FROM submissions
     WHERE status = 'rejected' AND batch_seq > ? ORDER BY batch_seq`,
  );
  return () => {
    for (const row of newRejections.iterate(afterBatch) as Iterable<{
      batchSeq: number;
      code: string | null;
    }>) {
      const code = row.code ?? 'unknown';
      rejections[code] = (rejections[code] ?? 0) + 1;
      afterBatch = row.batchSeq;
    }
    const chainHeights: Record<string, number> = {};
    for (const { name } of ledger.config.chains) chainHeights[name] = ledger.chains.head(name)?.height ?? 0;
    return { chainHeights, rejections: { ...rejections } };
  };
}
