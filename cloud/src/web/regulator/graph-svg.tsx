import { type KeyKind, keyKind, keyLabel, type TraceGraph } from '../analysis/trace-graph.ts';
import { resolverPath } from '../identity.ts';

/**
 * The trace drawn server-side as SVG: one column per depth (sources left, the start in the middle,
 * what it went into right), at most `columnNodesMax` boxes a column plus a "+N more" box, edges as
 * lines between boxes that are drawn. Each box links to that identity's own trace.
 */

export const columnNodesMax = 14;
const colW = 200;
const boxW = 176;
const boxH = 24;
const rowH = 32;

export function TraceSvg(props: { graph: TraceGraph; kindNames?: Readonly<Record<KeyKind, string>> }) {
  const columns = new Map<number, string[]>();
  for (const n of props.graph.nodes) {
    const col = columns.get(n.depth) ?? [];
    col.push(n.key);
    columns.set(n.depth, col);
  }
  const rank = { lot: 0, pallet: 1, other: 2, item: 3 };
  for (const keys of columns.values()) keys.sort((a, b) => rank[keyKind(a)] - rank[keyKind(b)]);
  const depths = [...columns.keys()].sort((a, b) => a - b);
  const pos = new Map<string, { x: number; y: number }>();
  const more: { x: number; y: number; n: number }[] = [];
  let rows = 1;
  depths.forEach((depth, ci) => {
    const keys = columns.get(depth)!;
    keys.slice(0, columnNodesMax).forEach((key, ri) => {
      pos.set(key, { x: 10 + ci * colW, y: 10 + ri * rowH });
    });
    if (keys.length > columnNodesMax)
      more.push({ x: 10 + ci * colW, y: 10 + columnNodesMax * rowH, n: keys.length - columnNodesMax });
    rows = Math.max(rows, Math.min(keys.length, columnNodesMax + 1));
  });
  const width = depths.length * colW + 10;
  const height = rows * rowH + 20;
  const edges = props.graph.edges.flatMap((e) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    return a && b ? [{ a, b }] : [];
  });
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="Trace graph"
      id="trace-graph"
      style={`width:${width}px;max-width:none`}
    >
      {edges.map(({ a, b }) => (
        <line
          x1={a.x + boxW}
          y1={a.y + boxH / 2}
          x2={b.x}
          y2={b.y + boxH / 2}
          stroke="#9fb3a7"
          stroke-width="1"
        />
      ))}
      {[...pos.entries()].map(([key, p]) => (
        <a href={`/regulator/trace?key=${encodeURIComponent(key)}`}>
          <rect
            x={p.x}
            y={p.y}
            width={boxW}
            height={boxH}
            rx="5"
            fill={
              key === props.graph.start
                ? '#1f6f43'
                : { item: '#e6f4ea', lot: '#fff3cd', pallet: '#e3ecf7', other: '#eee' }[keyKind(key)]
            }
            stroke="#1f6f43"
          />
          <text x={p.x + 8} y={p.y + 16} font-size="11" fill={key === props.graph.start ? '#fff' : '#1b2a22'}>
            {keyLabel(key, props.kindNames)}
          </text>
          <title>{resolverPath(key)}</title>
        </a>
      ))}
      {more.map((m) => (
        <text x={m.x + 8} y={m.y + 16} font-size="11" fill="#5d6b63">
          +{m.n} more
        </text>
      ))}
    </svg>
  );
}
