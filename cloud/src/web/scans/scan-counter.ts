import type { Clock } from '@suyuan/shared';
import { assessScans, type CloneAssessment, type CloneSettings, type ScanStats } from './clone-heuristics.ts';

/**
 * Scan counts per item key, in memory and bounded (the oldest-touched serial is forgotten first), and
 * the suspected clones found so far, for the regulator's alerts. Stores counts and region codes only.
 */

export interface SuspectedClone {
  key: string;
  firstFlaggedAt: number;
  assessment: CloneAssessment;
  stats: ScanStats;
  lastShipmentRegion: string | null;
}

export const scanKeysMax = 200_000;
export const regionsPerKeyMax = 32;
export const suspectsMax = 10_000;

export class ScanCounter {
  private readonly stats = new Map<string, ScanStats>();
  private readonly suspects = new Map<string, SuspectedClone>();
  private readonly clock: Clock;
  private readonly settings: CloneSettings;

  constructor(clock: Clock, settings: CloneSettings) {
    this.clock = clock;
    this.settings = settings;
  }

  /** Count one scan and assess the serial; a newly suspected clone is remembered for the regulator. */
  record(key: string, region: string | null, lastShipmentRegion: string | null): CloneAssessment {
    let s = this.stats.get(key);
    if (s) this.stats.delete(key);
    else s = { count: 0, regions: {} };
    this.stats.set(key, s);
    if (this.stats.size > scanKeysMax) this.stats.delete(this.stats.keys().next().value!);
    s.count += 1;
    const known =
      region !== null && (region in s.regions || Object.keys(s.regions).length < regionsPerKeyMax);
    if (region !== null && known) s.regions[region] = (s.regions[region] ?? 0) + 1;
    const assessment = assessScans(s, lastShipmentRegion, this.settings);
    const existing = this.suspects.get(key);
    if (assessment.suspected) {
      const firstFlaggedAt = existing?.firstFlaggedAt ?? this.clock.now();
      if (!existing && this.suspects.size >= suspectsMax)
        this.suspects.delete(this.suspects.keys().next().value!);
      this.suspects.set(key, {
        key,
        firstFlaggedAt,
        assessment,
        stats: { count: s.count, regions: { ...s.regions } },
        lastShipmentRegion,
      });
    }
    return assessment;
  }

  /** Whether a serial is currently suspected, without counting a scan. */
  isSuspected(key: string): boolean {
    return this.suspects.has(key);
  }

  suspected(): SuspectedClone[] {
    return [...this.suspects.values()].sort((a, b) => b.firstFlaggedAt - a.firstFlaggedAt);
  }
}
