import type { BlockProof } from '@suyuan/shared';

const comma = Buffer.from(',');

/**
 * The JSON of `{ header, txs, proof }` with each tx spliced in as its stored text. A stored tx text
 * is canonical JSON (what the leaf hash covers), so the result parses to the same value as
 * `JSON.stringify({ header, txs: texts.map(JSON.parse), proof })`; a ~1 MB reading batch is copied,
 * not parsed into objects and stringified again.
 */
export function blockJson(
  header: unknown,
  txTexts: readonly Uint8Array[],
  proof: BlockProof | null,
): Buffer<ArrayBuffer> {
  const parts: Uint8Array[] = [Buffer.from(`{"header":${JSON.stringify(header)},"txs":[`)];
  txTexts.forEach((text, i) => {
    if (i > 0) parts.push(comma);
    parts.push(text);
  });
  parts.push(Buffer.from(`],"proof":${JSON.stringify(proof)}}`));
  // Buffer.concat allocates a plain ArrayBuffer (never a SharedArrayBuffer), as a body must be.
  return Buffer.concat(parts) as Buffer<ArrayBuffer>;
}
