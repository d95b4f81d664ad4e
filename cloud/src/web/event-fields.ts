import { epcUriToDigitalLink, isSuyuanError } from '@suyuan/shared';
import type { ItemStatus } from './read-model.ts';

/**
 * Reading EPCIS 2.0 event JSON as the ledger stores it (bare CBV words after normalisation, our farm
 * steps as full URIs): which identities an event touches, its step, and what it does to an item's status.
 */

export type EventJson = Record<string, unknown>;

/** Extension field naming the sensor device (truck logger, cold room) that watched this step. */
export const sensorDeviceField = 'suyuan:sensorDeviceId';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function quantityClasses(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const q of value) {
    if (typeof q === 'object' && q !== null && typeof (q as { epcClass?: unknown }).epcClass === 'string') {
      out.push((q as { epcClass: string }).epcClass);
    }
  }
  return out;
}

/** Every EPC or EPC class URI an event names, inputs and outputs included. */
export function eventEpcs(event: EventJson): string[] {
  const parent = typeof event.parentID === 'string' ? [event.parentID] : [];
  return [
    ...parent,
    ...strings(event.epcList),
    ...strings(event.childEPCs),
    ...strings(event.inputEPCList),
    ...strings(event.outputEPCList),
    ...quantityClasses(event.quantityList),
    ...quantityClasses(event.childQuantityList),
    ...quantityClasses(event.inputQuantityList),
    ...quantityClasses(event.outputQuantityList),
  ];
}

/** Canonical identity key (GS1 Digital Link) of an EPC URI, or null when it is not a GS1 identity. */
export function identityKeyOf(epc: string): string | null {
  try {
    return epcUriToDigitalLink(epc);
  } catch (error) {
    if (isSuyuanError(error)) return null;
    throw error;
  }
}

export function touchedKeys(event: EventJson): string[] {
  const keys = new Set<string>();
  for (const epc of eventEpcs(event)) {
    const key = identityKeyOf(epc);
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

export function bizStepOf(event: EventJson): string {
  return typeof event.bizStep === 'string' ? event.bizStep : '';
}

export function dispositionOf(event: EventJson): string {
  return typeof event.disposition === 'string' ? event.disposition : '';
}

export function eventTimeMs(event: EventJson): number {
  return typeof event.eventTime === 'string' ? Date.parse(event.eventTime) : Number.NaN;
}

/** The status an event leaves its items in, or null when it does not change it. */
export function statusAfter(event: EventJson): ItemStatus | null {
  const disposition = dispositionOf(event);
  if (disposition === 'recalled') return 'recalled';
  if (bizStepOf(event) === 'holding' || disposition === 'non_sellable_other') return 'held';
  if (disposition === 'retail_sold') return 'sold';
  return null;
}

export function sensorDeviceOf(event: EventJson): string | null {
  const id = event[sensorDeviceField];
  return typeof id === 'string' ? id : null;
}

/** The `id` of a readPoint/bizLocation, or of the first destination. */
export function locationId(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') {
    return (value as { id: string }).id;
  }
  return null;
}

export function destinationOf(event: EventJson): string | null {
  const list = event.destinationList;
  if (!Array.isArray(list)) return null;
  for (const d of list) {
    const id = (d as { destination?: unknown }).destination;
    if (typeof id === 'string') return id;
  }
  return null;
}
