import type { BodyPart } from '../cache/gzip-parts.ts';

/**
 * A page body joined from freshly rendered text and shared parts kept as bytes. A page miss then
 * UTF-8-encodes only its own few kilobytes (encoding a 12 kB page with Chinese text cost as much as
 * rendering half of it), and its gzip deflates only those (gzip-parts.ts). The html is rendered with
 * each shared part's `needle` in its place (a marker, or the part's own text such as the page CSS);
 * it is cut at the first occurrence of each needle, in the order given.
 */

export interface SharedPart extends BodyPart {
  /** What stands for this part in the rendered html. */
  needle: string;
}

export function sharedPart(needle: string, text: string): SharedPart {
  return { needle, bytes: Buffer.from(text, 'utf8'), shared: true };
}

/** The body and its parts; null when a needle is not found (the caller renders the page whole). */
export function joinParts(
  html: string,
  shared: readonly SharedPart[],
): { body: Uint8Array; parts: BodyPart[] } | null {
  const pieces: Uint8Array[] = [];
  const isShared: boolean[] = [];
  let from = 0;
  for (const part of shared) {
    const at = html.indexOf(part.needle, from);
    if (at < 0) return null;
    pieces.push(Buffer.from(html.slice(from, at), 'utf8'), part.bytes);
    isShared.push(false, true);
    from = at + part.needle.length;
  }
  pieces.push(Buffer.from(html.slice(from), 'utf8'));
  isShared.push(false);
  const body = Buffer.concat(pieces);
  const parts: BodyPart[] = [];
  let offset = 0;
  pieces.forEach((piece, i) => {
    // Fresh text is referenced inside the body (no second copy); shared parts keep their deflate.
    parts.push(
      isShared[i] ? shared[(i - 1) / 2]! : { bytes: body.subarray(offset, offset + piece.byteLength) },
    );
    offset += piece.byteLength;
  });
  return { body, parts };
}
