/**
 * Backward and forward trace from one identity, as a layered graph: depth < 0 are its sources (lot,
 * input lots, pallet), depth > 0 what it went into (items, output lots). Breadth-first, each key once,
 * bounded by `nodesMax` so a trace of a huge lot stays a readable, fast page.
 */

export interface TraceNode {
  key: string;
  depth: number;
}

export interface TraceEdge {
  from: string;
  to: string;
}

export interface TraceGraph {
  start: string;
  nodes: TraceNode[];
  edges: TraceEdge[];
  truncated: boolean;
}

export type Neighbours = (key: string) => Promise<string[]>;

export const traceNodesMax = 2_000;

async function walk(
  start: string,
  next: Neighbours,
  direction: 1 | -1,
  graph: TraceGraph,
  seen: Set<string>,
  nodesMax: number,
): Promise<void> {
  let frontier = [start];
  for (let depth = direction; frontier.length > 0; depth += direction) {
    const following: string[] = [];
    for (const key of frontier) {
      for (const other of await next(key)) {
        graph.edges.push(direction === 1 ? { from: key, to: other } : { from: other, to: key });
        if (seen.has(other)) continue;
        if (seen.size >= nodesMax) {
          graph.truncated = true;
          return;
        }
        seen.add(other);
        graph.nodes.push({ key: other, depth });
        following.push(other);
      }
    }
    frontier = following;
  }
}

export async function traceGraph(
  start: string,
  parents: Neighbours,
  children: Neighbours,
  nodesMax = traceNodesMax,
): Promise<TraceGraph> {
  const graph: TraceGraph = { start, nodes: [{ key: start, depth: 0 }], edges: [], truncated: false };
  const seen = new Set([start]);
  await walk(start, parents, -1, graph, seen, nodesMax);
  // Forward from every source too: a recall of an item's lot must reach its siblings' holders.
  await walk(start, children, 1, graph, seen, nodesMax);
  const unique = new Map(graph.edges.map((e) => [`${e.from} ${e.to}`, e]));
  graph.edges = [...unique.values()];
  return graph;
}

/** Everything downstream of `start` (children, their children, …), bounded. */
export async function downstream(
  start: string,
  children: Neighbours,
  nodesMax = traceNodesMax,
): Promise<{ keys: string[]; truncated: boolean }> {
  const graph: TraceGraph = { start, nodes: [], edges: [], truncated: false };
  await walk(start, children, 1, graph, new Set([start]), nodesMax);
  return { keys: graph.nodes.map((n) => n.key), truncated: graph.truncated };
}

export type KeyKind = 'item' | 'lot' | 'pallet' | 'other';

export function keyKind(key: string): KeyKind {
  if (/\/01\/\d{14}\/21\//.test(key)) return 'item';
  if (/\/01\/\d{14}\/10\//.test(key)) return 'lot';
  if (/\/00\/\d{18}$/.test(key)) return 'pallet';
  return 'other';
}

/** A short label for a key: `item L000010002`, `lot L00001`, `pallet 0690…`. */
export function keyLabel(key: string, kindNames?: Readonly<Record<KeyKind, string>>): string {
  const tail = decodeURIComponent(key.split('/').pop() ?? key);
  const kind = keyKind(key);
  return `${kindNames?.[kind] ?? kind} ${tail}`;
}
