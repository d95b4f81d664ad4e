import { randomUUID } from 'node:crypto';
import type { Clock } from '@suyuan/shared';
import { buildEpcisDocument, type EpcisDocument } from '@suyuan/shared/epcis/document';
import type { EventJson } from '../event-fields.ts';

/**
 * An EPCIS 2.0 JSON-LD document for any set of ledger events (a trace, a search, a recall), built by
 * the shared document builder — which validates every event — so it passes the GS1 JSON schema.
 */

export const epcisExportEventsMax = 10_000;

/** `recordTime` is when the ledger committed the event (its block's time). */
export function epcisExport(
  events: readonly { event: EventJson; recordTime: number }[],
  clock: Clock,
  sender: string,
): EpcisDocument {
  const list = events
    .slice(0, epcisExportEventsMax)
    .map(({ event, recordTime }) => ({ ...event, recordTime: new Date(recordTime).toISOString() }));
  return buildEpcisDocument(list, { clock, id: `urn:uuid:${randomUUID()}`, sender });
}
