import { canonicalize, type JsonValue, SeededRng, utf8 } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { scanDepthMax, scanValue } from './canonical-scan.ts';

/**
 * The scanner may refuse a canonical text (the caller then takes its slower path) but must never
 * accept one that is not: accepted ⇒ JSON.parse reads it and canonicalize writes it back unchanged.
 */
const rng = new SeededRng(20261124);
const numbers = [
  0,
  -0,
  1,
  -1,
  7.5,
  1e21,
  1e-7,
  -273.15,
  2 ** 53 - 1,
  2 ** 53 + 2,
  5e-324,
  0.1 + 0.2,
  123456789012345,
];
const strings = [
  '',
  'a',
  'é😀',
  'q"uote',
  'back\\slash',
  'tab\t',
  'nl\n',
  '\u0001\u001f',
  '\u007f',
  '\u2028',
  '/',
];
const keys = ['a', 'b', 'kind', 'reading', 'value', 'A', 'Z', '0', '10', '9', '', 'é', 'x y', '__proto__x'];

function value(depth: number): JsonValue {
  const pick = rng.int(depth > 3 ? 4 : 6);
  if (pick === 0) return numbers[rng.int(numbers.length)]!;
  if (pick === 1) return strings[rng.int(strings.length)]! + 'x'.repeat(rng.int(3));
  if (pick === 2) return [null, true, false][rng.int(3)]!;
  if (pick === 3) return (rng.next() - 0.5) * 10 ** rng.int(25);
  if (pick === 4) return Array.from({ length: rng.int(4) }, () => value(depth + 1));
  const out: Record<string, JsonValue> = {};
  for (let i = rng.int(5); i > 0; i--) out[keys[rng.int(keys.length)]!] = value(depth + 1);
  return out;
}

/** Text-level changes a hand-written or hostile body could have. */
const mutations: ((t: string) => string)[] = [
  (t) => t.replace(',', ', '),
  (t) => t.replace(':', ' :'),
  (t) => ` ${t}`,
  (t) => t.replace(/"a":(.*?),"b"/, '"b":$1,"a"'),
  (t) => t.replace(/\d+/, (d) => `0${d}`),
  (t) => t.replace(/(\d)(?=[,\]}]|$)/, '$1.0'),
  (t) => t.replace(/\d+/, (d) => `${d}e0`),
  (t) => t.replace(/"(\w)/, '"\\u0041$1'),
  (t) => t.replace('/', '\\/'),
  (t) => t.replace('\\u001f', '\\u001F'),
  (t) => t.replace('\\t', '\\u0009'),
  (t) => t.replace(/"a":/, '"a":1,"a":'),
  (t) => t.replace('"', "'"),
  (t) => t.slice(0, -1),
  (t) => `${t}]`,
  (t) => t.replace('0', '-0'),
  (t) => t.replace('true', 'True'),
  (t) => t.replace('😀', '\\ud83d\\ude00'),
  (t) => t.replace('x', '\\ud800'),
  (t) => t.replace('x', '\u0001'),
];

function accepted(text: string): boolean {
  const bytes = utf8(text);
  return scanValue(bytes, 0) === bytes.length;
}

function roundTrips(text: string): boolean {
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

describe('canonical JSON scan', () => {
  it('accepts only texts that are canonical, on seeded values and mutations', () => {
    let acceptedCanonical = 0;
    let acceptedMutated = 0;
    let refusedMutated = 0;
    for (let i = 0; i < 3000; i++) {
      const text = canonicalize(value(0));
      const plainKeys = !/[^\x20-\x7e]|\\|__proto__/.test(text.match(/"[^"]*":/g)?.join('') ?? '');
      if (accepted(text)) acceptedCanonical++;
      else expect({ text, plainKeys }).toEqual({ text, plainKeys: false });
      const mutated = mutations[rng.int(mutations.length)]!(text);
      if (mutated === text) continue;
      if (accepted(mutated)) {
        acceptedMutated++;
        expect({ mutated, canonical: roundTrips(mutated) }).toEqual({ mutated, canonical: true });
      } else refusedMutated++;
    }
    expect(acceptedCanonical).toBeGreaterThan(2000);
    expect(refusedMutated).toBeGreaterThan(800);
    // Some changes keep a text canonical (0.5 made -0.5, a digit added inside a string): accepted.
    expect(acceptedMutated).toBeGreaterThan(0);
  });

  it('refuses each non-canonical form', () => {
    const refused = [
      '{"b":1,"a":2}',
      '{"a":1,"a":2}',
      '{"a": 1}',
      '[1,2 ]',
      '01',
      '-0',
      '1.0',
      '1e3',
      '1E+21',
      '"\\/"',
      '"\\u0041"',
      '"\\u001F"',
      '"\\u0009"',
      '"\\ud800"',
      '"\u0001"',
      '{"__proto__":1}',
      '{"\\n":1}',
      'nul',
      '',
      '[1,]',
      '{"a":1,}',
      '"abc',
    ];
    for (const text of refused) expect({ text, accepted: accepted(text) }).toEqual({ text, accepted: false });
    const canonical = [
      '0',
      '-1',
      '1e+21',
      '5e-324',
      '0.30000000000000004',
      '"\\u001f\\b"',
      '{}',
      '[]',
      '{"":[{}]}',
    ];
    for (const text of canonical)
      expect({ text, accepted: accepted(text) }).toEqual({ text, accepted: true });
  });

  it('refuses nesting beyond its depth and reports where a value ends', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(accepted(deep(scanDepthMax))).toBe(true);
    expect(accepted(deep(scanDepthMax + 1))).toBe(false);
    const bytes = utf8('{"a":[1,"x"]},7');
    expect(scanValue(bytes, 0)).toBe(13);
    expect(scanValue(bytes, 14)).toBe(15);
  });
});
