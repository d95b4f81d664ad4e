import {
  type Ed25519KeyPair,
  type EpcisEventInput,
  type JsonValue,
  limits,
  parseEpcisEvent,
} from '@suyuan/shared';
import { z } from 'zod';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { sealSubmission } from '../outbox/seal.ts';
import { identifyEpc } from '../serial/epc-identity.ts';
import type { TagReadInput } from './ingest-source.ts';

/**
 * RFID tag reads as EPCIS: a read of an SGTIN-96 tag by a reader that has a read point in the config
 * becomes an ObjectEvent OBSERVE of that item at the reader's read point (the CBV's "I saw this item
 * here"), signed by the gateway key with the rest of its flush and queued for the trace chain. Reads
 * arrive already debounced by the serial reader, so one tag on the table is one event per window,
 * not one per antenna cycle. Other tags (factory codes, EM4100 ids) are kept in `tag_read` only:
 * they name no GS1 item an event could be about.
 */
export const rfidReaderConfigSchema = z
  .object({
    readerId: z.string().min(1).max(64),
    /** EPCIS read point, an SGLN EPC URI (`urn:epc:id:sgln:…`). */
    readPoint: z.string().regex(/^urn:epc:id:sgln:/, 'an SGLN EPC URI (urn:epc:id:sgln:…)'),
    /** CBV business step for the observation, e.g. `inspecting`, `receiving`; absent: none. */
    bizStep: z.string().min(1).max(128).optional(),
  })
  .strict();
export type RfidReaderConfig = z.infer<typeof rfidReaderConfigSchema>;

export type TagEventRules = ReadonlyMap<string, RfidReaderConfig>;

export function tagEventRules(readers: readonly RfidReaderConfig[] = []): TagEventRules {
  return new Map(readers.map((r) => [r.readerId, r]));
}

/** The OBSERVE event for one read, or null when the reader has no read point or the tag is no SGTIN-96. */
export function tagObserveEvent(read: TagReadInput, rules: TagEventRules): EpcisEventInput | null {
  const reader = rules.get(read.readerId);
  if (!reader) return null;
  const identity = identifyEpc(read.epc);
  if (identity.kind !== 'sgtin96') return null;
  const event: Record<string, unknown> = {
    type: 'ObjectEvent',
    eventTime: new Date(read.timeMs).toISOString(),
    eventTimeZoneOffset: '+00:00',
    action: 'OBSERVE',
    epcList: [identity.idUri],
    readPoint: { id: reader.readPoint },
    'suyuan:rfidRead': {
      reader: read.readerId,
      tag: read.epc,
      ...(read.antenna === undefined ? {} : { antenna: read.antenna }),
      ...(read.rssi === undefined ? {} : { rssi: read.rssi }),
    },
  };
  if (reader.bizStep !== undefined) event.bizStep = reader.bizStep;
  parseEpcisEvent(event); // our own construction: a failure here is a bug, not bad input
  return event as EpcisEventInput;
}

export const tagEventPayload = (event: EpcisEventInput): JsonValue =>
  ({ kind: 'event', event }) as unknown as JsonValue;

/**
 * Signs tag observations (≤ 256 per submission) and appends them to the outbox inside the caller's
 * transaction. Business events, so critical: they may use the outbox reserve beyond the readings limit.
 */
export function sealTagEvents(
  outbox: OutboxStore,
  key: Ed25519KeyPair,
  events: JsonValue[],
  now: number,
): void {
  for (let i = 0; i < events.length; i += limits.submissionPayloadsMax) {
    const payloads = events.slice(i, i + limits.submissionPayloadsMax);
    const seq = outbox.allocateSeq();
    const { body, header } = sealSubmission(key, seq, now, payloads);
    outbox.append([
      {
        seq,
        kind: 'event',
        body,
        header: JSON.stringify(header),
        payloadCount: payloads.length,
        critical: true,
      },
    ]);
  }
}
