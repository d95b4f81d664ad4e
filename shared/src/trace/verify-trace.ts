import { toBase64Url } from '../bytes.ts';
import type { Receipt } from '../wire/submit.ts';
import type { TraceResponse } from '../wire/trace.ts';
import type { TrustedGroups } from './grouped-certificate.ts';
import { txLeafHash } from './hashing.ts';
import { verifyTxProof } from './verify-proof.ts';

/**
 * Offline verification of a whole trace from the replica public keys: every event's proof (see
 * verify-proof.ts), every item's history as an unbroken hash chain (each event links to the item's
 * previous event by location and leaf hash, the first links to nothing), and every edge of the
 * graph backed by an event that touches both ends. Nothing the server says is taken on trust
 * except which events it chose to return; a missing event breaks its item's chain.
 */

export interface TraceVerification {
  ok: boolean;
  eventsChecked: number;
  itemsChecked: number;
  failures: string[];
}

export function verifyTrace(
  trace: TraceResponse,
  replicaPublicKeys: readonly Uint8Array[],
  trustedGroups?: TrustedGroups,
): TraceVerification {
  const failures: string[] = [];
  const leafHashes = trace.events.map((e) => toBase64Url(txLeafHash(e.tx)));
  trace.events.forEach((event, i) => {
    const failure = verifyTxProof(event.tx, event.proof, replicaPublicKeys, trustedGroups);
    if (failure !== null) failures.push(`event ${i}: ${failure}`);
  });
  for (const node of trace.nodes) {
    let prev: { chain: string; height: number; index: number; leafHash: string } | null = null;
    for (const i of node.events) {
      const event = trace.events[i];
      if (!event) {
        failures.push(`${node.key}: event ${i} is missing`);
        break;
      }
      const link = event.tx.kind === 'payload' ? event.tx.links.find((l) => l.item === node.key) : undefined;
      if (!link) {
        failures.push(`${node.key}: event ${i} does not touch this item`);
        break;
      }
      if (!samePointer(link.prev, prev)) {
        failures.push(`${node.key}: event ${i} does not link to the item's previous event`);
        break;
      }
      const at = event.proof.location;
      prev = { chain: at.chain, height: at.height, index: at.index, leafHash: leafHashes[i]! };
    }
  }
  for (const edge of trace.edges) {
    const backed = trace.events.some(
      (e) =>
        e.tx.kind === 'payload' &&
        e.tx.links.some((l) => l.item === edge.from) &&
        e.tx.links.some((l) => l.item === edge.to),
    );
    if (!backed) failures.push(`edge ${edge.from} ${edge.kind} ${edge.to} has no event behind it`);
  }
  return {
    ok: failures.length === 0,
    eventsChecked: trace.events.length,
    itemsChecked: trace.nodes.length,
    failures,
  };
}

function samePointer(
  a: { chain: string; height: number; index: number; leafHash: string } | null,
  b: { chain: string; height: number; index: number; leafHash: string } | null,
): boolean {
  if (a === null || b === null) return a === b;
  return a.chain === b.chain && a.height === b.height && a.index === b.index && a.leafHash === b.leafHash;
}

/** A submitter's check of its receipt: every entry proves, and every entry is its own submission. */
export function verifyReceipt(
  receipt: Receipt,
  replicaPublicKeys: readonly Uint8Array[],
  trustedGroups?: TrustedGroups,
): string | null {
  for (const [i, entry] of receipt.entries.entries()) {
    if (entry.tx.signed.submitter !== receipt.submitter || entry.tx.signed.seq !== receipt.seq) {
      return `entry ${i}: transaction is another submission's`;
    }
    const failure = verifyTxProof(entry.tx, entry.proof, replicaPublicKeys, trustedGroups);
    if (failure !== null) return `entry ${i}: ${failure}`;
  }
  return null;
}
