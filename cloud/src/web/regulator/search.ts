import { canonicalDigitalLink, epcUriToDigitalLink, isSuyuanError } from '@suyuan/shared';
import { lotKey, sgtinKey } from '../identity.ts';
import type { DeviceInfo, LotInfo, Participant, ReadModel } from '../read-model.ts';

/**
 * What a regulator can type in the search box: a Digital Link (full or `/01/…` path), an EPC URI, a
 * serial or lot code of any product, a participant id or part of its name, a device id.
 */

export const queryCharsMax = 256;
export const searchResultsMax = 50;

export interface SearchResult {
  keys: string[];
  participants: Participant[];
  devices: DeviceInfo[];
  lotsOfMatches: LotInfo[];
  error: string | null;
}

function asKey(q: string): string | null {
  try {
    if (/^https?:\/\//i.test(q)) return canonicalDigitalLink(q);
    if (q.startsWith('/01/') || q.startsWith('/00/')) return canonicalDigitalLink(`https://id.gs1.org${q}`);
    if (q.startsWith('urn:epc:')) return epcUriToDigitalLink(q);
  } catch (error) {
    if (isSuyuanError(error)) throw error;
    throw error;
  }
  return null;
}

export async function search(model: ReadModel, raw: string): Promise<SearchResult> {
  const q = raw.trim().slice(0, queryCharsMax);
  const result: SearchResult = { keys: [], participants: [], devices: [], lotsOfMatches: [], error: null };
  if (q === '') return result;
  try {
    const key = asKey(q);
    if (key !== null) {
      result.keys.push(key);
      return result;
    }
  } catch (error) {
    result.error = isSuyuanError(error) ? error.message : String(error);
    return result;
  }
  for (const product of await model.products()) {
    if (await model.item(product.gtin, q)) result.keys.push(sgtinKey(product.gtin, q));
    if (await model.lot(product.gtin, q)) result.keys.push(lotKey(product.gtin, q));
  }
  const needle = q.toLowerCase();
  result.participants = (await model.participants())
    .filter((p) => p.id.toLowerCase() === needle || p.name.toLowerCase().includes(needle))
    .slice(0, searchResultsMax);
  result.devices = (await model.devices())
    .filter((d) => d.deviceId.toLowerCase().includes(needle))
    .slice(0, searchResultsMax);
  for (const owner of [...result.participants.map((p) => p.id), ...result.devices.map((d) => d.deviceId)]) {
    result.lotsOfMatches.push(...(await model.lotsOf(owner, 10)));
    if (result.lotsOfMatches.length >= searchResultsMax) break;
  }
  return result;
}
