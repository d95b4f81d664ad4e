import { z } from 'zod';
import { chainName, txProofSchema } from './block.ts';
import { ledgerTxSchema } from './transaction.ts';

/**
 * Trace responses: the graph around one item or lot, each event with its transaction and proof.
 *
 *   GET /v1/trace/backward/{id}  id = EPC URI or GS1 Digital Link (URL-encoded)
 *   GET /v1/trace/forward/{id}
 *
 * Backward: the item's events, then recursively the inputs it was made from and the contents it
 * holds, and the events of the containers it travelled in. Forward: the item's events, everything it
 * was packed into or made into, recursively, with where each is now.
 */

export const traceNodeSchema = z
  .object({
    /** Canonical identity key (canonical GS1 Digital Link). */
    key: z.string(),
    kind: z.enum(['sgtin', 'lgtin', 'sscc']),
    owner: z.string(),
    holder: z.string(),
    status: z.enum(['active', 'inTransit', 'held', 'recalled', 'sold', 'consumed']),
    quantity: z.number().nullable(),
    uom: z.string().nullable(),
    parent: z.string().nullable(),
    /** This node's events, oldest first, as indexes into `events`. */
    events: z.array(z.number().int().min(0)),
  })
  .strict();
export type TraceNode = z.infer<typeof traceNodeSchema>;

export const traceEdgeSchema = z
  .object({
    kind: z.enum(['contains', 'madeFrom']),
    /** contains: container → content; madeFrom: output → input. */
    from: z.string(),
    to: z.string(),
  })
  .strict();
export type TraceEdge = z.infer<typeof traceEdgeSchema>;

export const traceEventSchema = z.object({ tx: ledgerTxSchema, proof: txProofSchema }).strict();
export type TraceEvent = z.infer<typeof traceEventSchema>;

export const traceResponseSchema = z
  .object({
    root: z.string(),
    direction: z.enum(['backward', 'forward']),
    nodes: z.array(traceNodeSchema),
    edges: z.array(traceEdgeSchema),
    events: z.array(traceEventSchema),
    /** True when the graph hit traceNodesMax and was cut short. */
    truncated: z.boolean(),
    chains: z.array(chainName),
  })
  .strict();
export type TraceResponse = z.infer<typeof traceResponseSchema>;
