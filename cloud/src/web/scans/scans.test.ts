import { ManualClock } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { assessScans, parseRegion, regionMatches } from './clone-heuristics.ts';
import { ScanCounter } from './scan-counter.ts';

const settings = { expectedScansMax: 5, foreignScansMin: 2 };

describe('clone heuristics', () => {
  it('matches regions coarsely: same subdivision, or country-only on either side', () => {
    expect(regionMatches('CN-SH', 'CN-SH')).toBe(true);
    expect(regionMatches('CN', 'CN-SH')).toBe(true);
    expect(regionMatches('CN-BJ', 'CN-SH')).toBe(false);
    expect(regionMatches('US', 'CN-SH')).toBe(false);
  });

  it('suspects too many scans, and repeated scans far from the shipment', () => {
    expect(assessScans({ count: 6, regions: {} }, null, settings).reasons).toEqual(['tooManyScans']);
    expect(assessScans({ count: 3, regions: { 'CN-SH': 1, 'CN-BJ': 2 } }, 'CN-SH', settings)).toEqual({
      suspected: true,
      reasons: ['regionMismatch'],
      foreignScans: 2,
    });
    expect(assessScans({ count: 2, regions: { 'CN-SH': 1, 'CN-BJ': 1 } }, 'CN-SH', settings).suspected).toBe(
      false,
    );
  });

  it('accepts only well-formed coarse region codes', () => {
    expect(parseRegion(' cn-sh ')).toBe('CN-SH');
    expect(parseRegion('10.0.0.1')).toBeNull();
    expect(parseRegion('CN-SHANGHAI')).toBeNull();
    expect(parseRegion(undefined)).toBeNull();
  });
});

describe('ScanCounter', () => {
  it('counts scans per key and remembers suspects with the first time flagged', () => {
    const clock = new ManualClock(1000);
    const scans = new ScanCounter(clock, settings);
    for (let i = 0; i < 5; i++) expect(scans.record('k', 'CN-SH', 'CN-SH').suspected).toBe(false);
    clock.advance(10);
    expect(scans.record('k', null, 'CN-SH').reasons).toEqual(['tooManyScans']);
    clock.advance(10);
    scans.record('k', 'CN-SH', 'CN-SH');
    expect(scans.suspected()).toEqual([expect.objectContaining({ key: 'k', firstFlaggedAt: 1010 })]);
    expect(scans.isSuspected('k')).toBe(true);
    expect(scans.isSuspected('other')).toBe(false);
  });
});
