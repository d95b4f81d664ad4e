import { utf8 } from './bytes.ts';
import { InputError } from './errors.ts';
import { limits } from './limits.ts';

/**
 * RFC 8785 JSON Canonicalization Scheme. Everything we sign or hash goes through here, so one value
 * has exactly one byte string. JCS defines primitives by ECMAScript's JSON.stringify (shortest
 * round-trip numbers, minimal string escapes) and orders object members by UTF-16 code units, which
 * is what the default string sort compares. What JSON cannot carry faithfully is a typed error rather
 * than a silent change: NaN and Infinity, lone surrogates, undefined in arrays, class instances
 * (Date, Map, Buffer...), cycles. Object members whose value is `undefined` are omitted, as
 * JSON.stringify does, so optional fields left unset do not change a hash.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set<object>(), 0, '$');
  return parts.join('');
}

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}

/**
 * Canonical JSON of `{...frame, [key]: items}` given each item's canonical text: `frame` is encoded
 * with an empty array under `key` and the texts are spliced in. Exactly `canonicalize` of the whole
 * value (the empty-array marker is looked for once; if the frame holds it twice, the whole value is
 * encoded instead). Lets a reading batch be encoded one reading at a time by a written-out encoder
 * (`readingPayloadText`). Tested against `canonicalize` (cloud/src/ledger/plain-request.test.ts).
 */
export function canonicalWithArray(
  frame: Record<string, unknown>,
  key: string,
  itemTexts: readonly string[],
  items: readonly unknown[],
): string {
  const text = canonicalize({ ...frame, [key]: [] });
  const marker = `${JSON.stringify(key)}:[]`;
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + 1) >= 0) return canonicalize({ ...frame, [key]: items });
  const cut = at + marker.length - 1;
  return `${text.slice(0, cut)}${itemTexts.join(',')}${text.slice(cut)}`;
}

function write(value: unknown, out: string[], ancestors: Set<object>, depth: number, path: string): void {
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InputError('canonical.nonFinite', `${path}: ${value} has no JSON form`, { path });
      }
      out.push(JSON.stringify(value));
      return;
    case 'string':
      out.push(quote(value, path));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      writeContainer(value, out, ancestors, depth, path);
      return;
    default:
      throw new InputError('canonical.unsupportedType', `${path}: a ${typeof value} has no JSON form`, {
        path,
      });
  }
}

function writeContainer(
  value: object,
  out: string[],
  ancestors: Set<object>,
  depth: number,
  path: string,
): void {
  if (depth >= limits.canonicalDepthMax) {
    throw new InputError('canonical.tooDeep', `${path}: nested deeper than ${limits.canonicalDepthMax}`, {
      path,
    });
  }
  if (ancestors.has(value))
    throw new InputError('canonical.cycle', `${path}: refers back to itself`, { path });
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      if (item === undefined) {
        throw new InputError('canonical.unsupportedType', `${path}[${i}]: undefined has no JSON form`, {
          path,
        });
      }
      write(item, out, ancestors, depth + 1, `${path}[${i}]`);
    });
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain object';
      throw new InputError('canonical.unsupportedType', `${path}: a ${kind} is not plain JSON`, { path });
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(quote(key, path), ':');
      write(member, out, ancestors, depth + 1, `${path}.${key}`);
    }
    out.push('}');
  }
  ancestors.delete(value);
}

// In a /u regex a well-formed surrogate pair is one code point, so \p{Cs} matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

function quote(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new InputError('canonical.loneSurrogate', `${path}: string has a lone surrogate`, { path });
  }
  return JSON.stringify(text);
}
