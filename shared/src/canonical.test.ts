import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.ts';
import { isSuyuanError } from './errors.ts';

function doubleFromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('RFC 8785 canonical JSON', () => {
  it('matches the RFC §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders properties by UTF-16 code units (RFC §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the order off the text: JSON.parse would move the integer-like key "1" to the front.
    const keys = [...canonicalize(input).matchAll(/"([^"]*)":"[^"]*"/g)].map((m) => JSON.parse(`"${m[1]}"`));
    // The emoji (U+1F600, first unit 0xD83D) sorts before U+FB33 by code unit, not by code point.
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('formats IEEE-754 %s as %s (RFC Appendix B)', (bits, expected) => {
    expect(canonicalize(doubleFromBits(bits))).toBe(expected);
  });

  it('omits undefined members and keeps nested order canonical', () => {
    expect(canonicalize({ b: [{ z: 1, a: 2 }], a: undefined, c: 'x' })).toBe('{"b":[{"a":2,"z":1}],"c":"x"}');
  });

  it.each([
    ['NaN', Number.NaN, 'canonical.nonFinite'],
    ['Infinity', { x: Number.POSITIVE_INFINITY }, 'canonical.nonFinite'],
    ['lone high surrogate', { s: 'a\ud800' }, 'canonical.loneSurrogate'],
    ['lone low surrogate key', { '\udc00': 1 }, 'canonical.loneSurrogate'],
    ['Date', { d: new Date(0) }, 'canonical.unsupportedType'],
    ['Map', new Map(), 'canonical.unsupportedType'],
    ['Uint8Array', new Uint8Array(2), 'canonical.unsupportedType'],
    ['bigint', 1n, 'canonical.unsupportedType'],
    ['function', { f: () => 1 }, 'canonical.unsupportedType'],
    ['undefined in array', [1, undefined], 'canonical.unsupportedType'],
  ])('rejects %s with a typed error', (_name, value, code) => {
    try {
      canonicalize(value);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(isSuyuanError(error, code)).toBe(true);
    }
  });

  it('rejects cycles and excessive depth', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/refers back to itself/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(/nested deeper/);
  });

  it('accepts a shared (non-cyclic) sub-object twice', () => {
    const shared = { v: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
  });
});
