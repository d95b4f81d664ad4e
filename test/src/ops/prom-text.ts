/**
 * Reads one sample from Prometheus text exposition: `name{a="x",b="y"} value`. Labels given must
 * all match (others are ignored); without a match the value is undefined. Summed when several
 * series match (e.g. every peer's queue depth).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).some(([k, v]) => found[k] !== v)) continue;
    total = (total ?? 0) + Number(match[3]);
  }
  return total;
}
