import type { TraceEdge, TraceEvent, TraceNode, TraceResponse } from '@suyuan/shared';
import type Database from 'better-sqlite3';
import type { ProofBuilder } from './proofs.ts';
import type { StateStore } from './state-store.ts';

/**
 * Backward and forward trace over the query indexes. Cost follows the size of the item's own graph
 * (its events, inputs, contents and containers), never the length of the ledger: each step is an
 * indexed lookup of one item's events or edges.
 *
 * Backward: the item's events; recursively the inputs it was made from and the contents it holds;
 * and the containers it travelled in (their events and their own containers, not their other
 * contents). Forward: the item's events; recursively what it was packed into and what was made from it.
 */

type Mode = 'full' | 'container' | 'forward';

/** Bounds on one trace's size, whatever the graph: past them the answer says `truncated: true`. */
export interface TraceLimits {
  eventsMax: number;
  eventsPerItemMax: number;
}

export const defaultTraceLimits: TraceLimits = { eventsMax: 20_000, eventsPerItemMax: 5_000 };

export class TraceQuery {
  private readonly state: StateStore;
  private readonly proofs: ProofBuilder;
  private readonly stmt;

  private readonly limits: TraceLimits;

  constructor(db: Database.Database, state: StateStore, proofs: ProofBuilder, limits = defaultTraceLimits) {
    this.state = state;
    this.proofs = proofs;
    this.limits = limits;
    this.stmt = {
      events: db.prepare('SELECT chain, height, idx FROM item_events WHERE item = ? ORDER BY n LIMIT ?'),
      out: db.prepare('SELECT dst AS key FROM edges WHERE kind = ? AND src = ? ORDER BY dst'),
      in: db.prepare('SELECT src AS key FROM edges WHERE kind = ? AND dst = ? ORDER BY src'),
    };
  }

  trace(rootKey: string, direction: 'backward' | 'forward', nodesMax: number): TraceResponse | null {
    if (!this.state.item(rootKey)) return null;
    const nodes: TraceNode[] = [];
    const edges: TraceEdge[] = [];
    const events: TraceEvent[] = [];
    const eventIndex = new Map<string, number>();
    const seen = new Set<string>([rootKey]);
    const queue: [string, Mode][] = [[rootKey, direction === 'backward' ? 'full' : 'forward']];
    let truncated = false;
    for (let q = 0; q < queue.length; q++) {
      if (nodes.length >= nodesMax || events.length >= this.limits.eventsMax) {
        truncated = true;
        break;
      }
      const [key, mode] = queue[q]!;
      const node = this.node(key, events, eventIndex);
      if (node) nodes.push(node.node);
      if (node?.cut) truncated = true;
      for (const [next, nextMode, edge] of this.neighbours(key, mode)) {
        edges.push(edge);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push([next, nextMode]);
        }
      }
    }
    const chains = [...new Set(events.map((e) => e.proof.location.chain))].sort();
    return { root: rootKey, direction, nodes, edges: dedupeEdges(edges), events, truncated, chains };
  }

  private neighbours(key: string, mode: Mode): [string, Mode, TraceEdge][] {
    const out: [string, Mode, TraceEdge][] = [];
    const rows = (kind: string, dir: 'out' | 'in') =>
      (this.stmt[dir].all(kind, key) as { key: string }[]).map((r) => r.key);
    if (mode === 'full') {
      for (const k of rows('madeFrom', 'out')) out.push([k, 'full', { kind: 'madeFrom', from: key, to: k }]);
      for (const k of rows('contains', 'out')) out.push([k, 'full', { kind: 'contains', from: key, to: k }]);
    }
    if (mode === 'full' || mode === 'container') {
      for (const k of rows('contains', 'in'))
        out.push([k, 'container', { kind: 'contains', from: k, to: key }]);
    }
    if (mode === 'forward') {
      for (const k of rows('contains', 'in'))
        out.push([k, 'forward', { kind: 'contains', from: k, to: key }]);
      for (const k of rows('madeFrom', 'in'))
        out.push([k, 'forward', { kind: 'madeFrom', from: k, to: key }]);
    }
    return out;
  }

  /** A node with its oldest events (a verifiable prefix of its history when `cut`). */
  private node(
    key: string,
    events: TraceEvent[],
    eventIndex: Map<string, number>,
  ): { node: TraceNode; cut: boolean } | null {
    const item = this.state.item(key);
    if (!item) return null;
    const indexes: number[] = [];
    const perItem = this.limits.eventsPerItemMax;
    const rows = this.stmt.events.all(key, perItem + 1) as { chain: string; height: number; idx: number }[];
    const cut = rows.length > perItem;
    for (const row of rows.slice(0, perItem)) {
      const id = `${row.chain}/${row.height}/${row.idx}`;
      let i = eventIndex.get(id);
      if (i === undefined) {
        const proven = this.proofs.txProof(row.chain, row.height, row.idx);
        if (!proven) continue; // not certified yet: a trace shows only final events
        i = events.length;
        events.push({ tx: proven.tx, proof: proven.proof });
        eventIndex.set(id, i);
      }
      indexes.push(i);
    }
    const node: TraceNode = {
      key,
      kind: item.kind,
      owner: item.owner,
      holder: item.holder,
      status: item.status === 'active' && item.transit !== null ? 'inTransit' : item.status,
      quantity: item.quantity,
      uom: item.uom,
      parent: item.parent,
      events: indexes,
    };
    return { node, cut };
  }
}

function dedupeEdges(edges: TraceEdge[]): TraceEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const id = `${e.kind} ${e.from} ${e.to}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
