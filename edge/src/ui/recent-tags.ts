import type { IngestSink, IngestSource, TagReadInput } from '../ingest/ingest-source.ts';

/**
 * The tags the RFID readers saw lately, in memory, for the harvest form ("bind the tags on the table").
 * Bounded by count (`recentTagsMax`) and by age at read time; one entry per EPC (the latest read).
 * The durable record of every read stays in the `tag_read` table; this is only a view.
 */
export const recentTagsMax = 500;
export const recentTagAgeMsMax = 10 * 60_000;

export interface RecentTag {
  epc: string;
  readerId: string;
  lastSeenMs: number;
  reads: number;
  rssi?: number;
}

export class RecentTags {
  private readonly byEpc = new Map<string, RecentTag>();
  private readonly sizeMax: number;

  constructor(sizeMax = recentTagsMax) {
    this.sizeMax = sizeMax;
  }

  record(read: TagReadInput): void {
    const previous = this.byEpc.get(read.epc);
    // Re-inserting moves the EPC to the newest end of the Map's insertion order.
    this.byEpc.delete(read.epc);
    const tag: RecentTag = {
      epc: read.epc,
      readerId: read.readerId,
      lastSeenMs: Math.max(read.timeMs, previous?.lastSeenMs ?? 0),
      reads: (previous?.reads ?? 0) + 1,
    };
    if (read.rssi !== undefined) tag.rssi = read.rssi;
    this.byEpc.set(read.epc, tag);
    while (this.byEpc.size > this.sizeMax) {
      const oldest = this.byEpc.keys().next().value;
      if (oldest === undefined) break;
      this.byEpc.delete(oldest);
    }
  }

  /** Tags seen at or after `nowMs - ageMsMax`, newest first. */
  recent(nowMs: number, ageMsMax = recentTagAgeMsMax): RecentTag[] {
    return [...this.byEpc.values()]
      .filter((t) => t.lastSeenMs >= nowMs - ageMsMax)
      .sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  }

  has(epc: string): boolean {
    return this.byEpc.has(epc);
  }

  get size(): number {
    return this.byEpc.size;
  }
}

/** Wraps a source so its tag reads also land in `tags` (after the pipeline took them). */
export function tapTagReads(source: IngestSource, tags: RecentTags): IngestSource {
  return {
    name: source.name,
    start: (sink: IngestSink) =>
      source.start({
        deviceMessage: (m) => sink.deviceMessage(m),
        gatewayReadings: (id, readings) => sink.gatewayReadings(id, readings),
        tagRead: async (read) => {
          await sink.tagRead(read);
          tags.record(read);
        },
      }),
    stop: () => source.stop(),
  };
}
