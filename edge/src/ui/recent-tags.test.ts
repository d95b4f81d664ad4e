import { describe, expect, it } from 'vitest';
import type { IngestSink, IngestSource, TagReadInput } from '../ingest/ingest-source.ts';
import { RecentTags, recentTagAgeMsMax, tapTagReads } from './recent-tags.ts';

const read = (epc: string, timeMs: number): TagReadInput => ({ readerId: 'r1', epc, timeMs });

describe('RecentTags', () => {
  it('keeps one entry per EPC, newest first, counting reads', () => {
    const tags = new RecentTags();
    tags.record(read('AA01', 1000));
    tags.record(read('BB02', 2000));
    tags.record(read('AA01', 3000));
    const recent = tags.recent(3000);
    expect(recent.map((t) => [t.epc, t.reads, t.lastSeenMs])).toEqual([
      ['AA01', 2, 3000],
      ['BB02', 1, 2000],
    ]);
  });

  it('drops the least recently read beyond its limit', () => {
    const tags = new RecentTags(3);
    for (let i = 0; i < 5; i++) tags.record(read(`EE0${i}`, 1000 + i));
    expect(tags.size).toBe(3);
    expect(tags.has('EE00')).toBe(false);
    expect(tags.has('EE04')).toBe(true);
  });

  it('hides tags older than the age limit', () => {
    const tags = new RecentTags();
    tags.record(read('AA01', 0));
    expect(tags.recent(recentTagAgeMsMax)).toHaveLength(1);
    expect(tags.recent(recentTagAgeMsMax + 1)).toHaveLength(0);
  });

  it('taps a source: reads reach the sink first, then the buffer', async () => {
    const stored: string[] = [];
    const sink: IngestSink = {
      deviceMessage: async () => ({ accepted: 0, duplicates: 0, quarantined: 0 }),
      gatewayReadings: async () => ({ accepted: 0, duplicates: 0, quarantined: 0 }),
      tagRead: async (r) => {
        stored.push(r.epc);
      },
    };
    let emit: ((r: TagReadInput) => Promise<void>) | undefined;
    const source: IngestSource = {
      name: 'reader',
      start: (s) => {
        emit = (r) => s.tagRead(r);
      },
      stop: () => {},
    };
    const tags = new RecentTags();
    await tapTagReads(source, tags).start(sink);
    await emit?.(read('CC03', 5));
    expect(stored).toEqual(['CC03']);
    expect(tags.has('CC03')).toBe(true);
  });
});
