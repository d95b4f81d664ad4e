/**
 * The generated regions of docs/benchmarks.md: each bench owns the text between
 * `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`; everything outside the markers is prose that
 * `pnpm bench` never touches. Pure string functions, so the rewriting is unit-tested.
 */
export const benchNames = ['consensus', 'groups', 'trace', 'edge', 'web', 'e2e'] as const;

export function openMarker(name: string): string {
  return `<!-- bench:${name} -->`;
}

export function closeMarker(name: string): string {
  return `<!-- /bench:${name} -->`;
}

export type RegionError = 'missing' | 'duplicated' | 'unordered';

/** Where one region's body starts and ends (exclusive), or why the markers cannot be used. */
export function findRegion(doc: string, name: string): { start: number; end: number } | RegionError {
  const open = openMarker(name);
  const close = closeMarker(name);
  const openAt = doc.indexOf(open);
  const closeAt = doc.indexOf(close);
  if (openAt < 0 || closeAt < 0) return 'missing';
  if (doc.indexOf(open, openAt + 1) >= 0 || doc.indexOf(close, closeAt + 1) >= 0) return 'duplicated';
  const start = openAt + open.length;
  if (closeAt < start) return 'unordered';
  return { start, end: closeAt };
}

/**
 * Replaces one region's body with `body` (framed by newlines, so the markers stay on lines of their
 * own). Throws when the marker pair is missing, repeated or reversed: a silent no-op would leave stale
 * figures in the docs.
 */
export function replaceRegion(doc: string, name: string, body: string): string {
  const region = findRegion(doc, name);
  if (typeof region === 'string')
    throw new Error(
      `docs/benchmarks.md: markers for bench '${name}' are ${region} (${openMarker(name)} … ${closeMarker(name)})`,
    );
  const text = body.trim();
  const framed = text.length > 0 ? `\n${text}\n` : '\n';
  return doc.slice(0, region.start) + framed + doc.slice(region.end);
}

/** Applies several regions in turn; all-or-nothing (throws before returning a half-rewritten doc). */
export function replaceRegions(doc: string, bodies: ReadonlyMap<string, string>): string {
  let out = doc;
  for (const [name, body] of bodies) out = replaceRegion(out, name, body);
  return out;
}

/** Which of the given benches have no usable marker pair in the doc (to warn about before running). */
export function regionProblems(
  doc: string,
  names: readonly string[],
): { name: string; problem: RegionError }[] {
  const out: { name: string; problem: RegionError }[] = [];
  for (const name of names) {
    const region = findRegion(doc, name);
    if (typeof region === 'string') out.push({ name, problem: region });
  }
  return out;
}
