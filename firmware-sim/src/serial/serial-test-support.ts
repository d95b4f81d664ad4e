import { readFileSync } from 'node:fs';
import { fromHex } from '@suyuan/shared';

/** Test helper (not runtime API): the shared serial vectors, by protocol and name prefix. */

interface VectorFile {
  readonly [protocol: string]: {
    readonly vectors: readonly { name: string; hex: string; [k: string]: unknown }[];
  };
}

const file = JSON.parse(
  readFileSync(new URL('../../../../shared/vectors/serial-frames.json', import.meta.url), 'utf8'),
) as VectorFile;

export function vectorBytes(protocol: string, namePrefix: string): Uint8Array {
  const vector = file[protocol]?.vectors.find((v) => v.name.startsWith(namePrefix));
  if (!vector) throw new Error(`no ${protocol} vector named ${namePrefix}…`);
  return fromHex(vector.hex);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
