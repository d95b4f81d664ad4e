import { type Ed25519KeyPair, type SubmitRequest, signSubmission, toBase64Url } from '@suyuan/shared';
import type { EventJson } from '../event-fields.ts';

/**
 * A hold or recall as the ledger records it: EPCIS ObjectEvents (bizStep `holding`, disposition
 * `non_sellable_other` for a hold, `recalled` for a recall) naming every affected item and lot, signed
 * by the regulator's key as one submission. Large recalls are split into events of at most
 * `holdEpcsPerEventMax` EPCs; a submission carries at most `holdEventsPerSubmissionMax` of them.
 */

export type HoldKind = 'hold' | 'recall';

export const holdEpcsPerEventMax = 5_000;
export const holdEventsPerSubmissionMax = 200;
export const reasonCharsMax = 500;

export function holdEvents(
  kind: HoldKind,
  itemEpcs: readonly string[],
  lotClasses: readonly string[],
  reason: string,
  nowMs: number,
): EventJson[] {
  const base = {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    eventTime: new Date(nowMs).toISOString(),
    eventTimeZoneOffset: '+08:00',
    bizStep: 'holding',
    disposition: kind === 'recall' ? 'recalled' : 'non_sellable_other',
    'suyuan:reason': reason.slice(0, reasonCharsMax),
  };
  const events: EventJson[] = [
    { ...base, epcList: [], quantityList: lotClasses.map((epcClass) => ({ epcClass })) },
  ];
  for (let i = 0; i < itemEpcs.length; i += holdEpcsPerEventMax) {
    events.push({ ...base, epcList: itemEpcs.slice(i, i + holdEpcsPerEventMax) });
  }
  return events;
}

/** Sign the events as one submission; `seq` must grow per key (the clock's milliseconds do). */
export function signedSubmission(
  events: readonly EventJson[],
  key: Ed25519KeyPair,
  seq: number,
  created: number,
): SubmitRequest {
  const payloads = events
    .slice(0, holdEventsPerSubmissionMax)
    .map((event) => ({ kind: 'event' as const, event }));
  const submission = signSubmission(
    { submitter: key.keyId, seq, created, payloads: payloads as never[] },
    key.privateKey,
  );
  return { publicKey: toBase64Url(key.publicKey), submission: submission as SubmitRequest['submission'] };
}
