import { describe, expect, it } from 'vitest';
import {
  closeMarker,
  openMarker,
  regionProblems,
  replaceRegion,
  replaceRegions,
} from './bench-report-regions.ts';

const doc = [
  '# Benchmarks',
  '',
  '## Consensus',
  'Prose about consensus stays.',
  openMarker('consensus'),
  'old consensus table',
  closeMarker('consensus'),
  'Trailing consensus prose.',
  '',
  '## Edge',
  openMarker('edge'),
  closeMarker('edge'),
  'Edge prose.',
  '',
].join('\n');

describe('docs/benchmarks.md region rewriting', () => {
  it('replaces only the body between one pair of markers, prose untouched', () => {
    const out = replaceRegion(doc, 'consensus', '| a | b |\n|---|---|\n| 1 | 2 |\n');
    expect(out).toBe(doc.replace('old consensus table', '| a | b |\n|---|---|\n| 1 | 2 |'));
    expect(out).toContain('Prose about consensus stays.\n<!-- bench:consensus -->\n| a | b |');
    expect(out).toContain('| 1 | 2 |\n<!-- /bench:consensus -->\nTrailing consensus prose.');
  });

  it('fills an empty pair and is idempotent', () => {
    const once = replaceRegion(doc, 'edge', 'edge figures');
    expect(once).toContain('<!-- bench:edge -->\nedge figures\n<!-- /bench:edge -->\nEdge prose.');
    expect(replaceRegion(once, 'edge', 'edge figures')).toBe(once);
  });

  it('an empty body leaves the markers on their own lines', () => {
    const out = replaceRegion(doc, 'consensus', '   ');
    expect(out).toContain('<!-- bench:consensus -->\n<!-- /bench:consensus -->');
  });

  it('bodies containing $ patterns are inserted literally', () => {
    const out = replaceRegion(doc, 'edge', "cost $& and $1 and $'");
    expect(out).toContain("\ncost $& and $1 and $'\n");
  });

  it('rewrites several regions and keeps the rest byte for byte', () => {
    const out = replaceRegions(
      doc,
      new Map([
        ['consensus', 'C'],
        ['edge', 'E'],
      ]),
    );
    expect(out.split('\n')).toEqual([
      '# Benchmarks',
      '',
      '## Consensus',
      'Prose about consensus stays.',
      openMarker('consensus'),
      'C',
      closeMarker('consensus'),
      'Trailing consensus prose.',
      '',
      '## Edge',
      openMarker('edge'),
      'E',
      closeMarker('edge'),
      'Edge prose.',
      '',
    ]);
  });

  it('refuses missing, duplicated and reversed markers instead of silently doing nothing', () => {
    expect(() => replaceRegion(doc, 'web', 'x')).toThrow(/web.*missing/);
    const twice = `${doc}\n${openMarker('edge')}\n${closeMarker('edge')}\n`;
    expect(() => replaceRegion(twice, 'edge', 'x')).toThrow(/duplicated/);
    const reversed = `${closeMarker('web')}\n${openMarker('web')}\n`;
    expect(() => replaceRegion(reversed, 'web', 'x')).toThrow(/unordered/);
    expect(() =>
      replaceRegions(
        doc,
        new Map([
          ['consensus', 'C'],
          ['web', 'W'],
        ]),
      ),
    ).toThrow(/web/);
    expect(regionProblems(twice, ['consensus', 'edge', 'web'])).toEqual([
      { name: 'edge', problem: 'duplicated' },
      { name: 'web', problem: 'missing' },
    ]);
  });

  it('a marker of one bench is not mistaken for another whose name it starts with', () => {
    const both = `${openMarker('e2e')}\nold\n${closeMarker('e2e')}\n${openMarker('e2e-soak')}\nkeep\n${closeMarker('e2e-soak')}\n`;
    const out = replaceRegion(both, 'e2e', 'new');
    expect(out).toContain('new');
    expect(out).toContain('keep');
  });
});
