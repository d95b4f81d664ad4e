import {
  canonicalBytes,
  canonicalize,
  canonicalWithArray,
  domainHash,
  merkleLeafHash,
  readingPayloadText,
  utf8,
} from '@suyuan/shared';

/**
 * The Merkle leaf hash of a ledger transaction as a receipt carries it: `merkleLeafHash(canonical
 * bytes of tx)`, the same bytes `canonicalBytes(tx)` gives. A reading batch's payloads (up to 4,096
 * readings) take the written-out reading encoder one by one and are spliced into the encoded frame;
 * the general encoder was most of the gateway's receipt check. Anything not of the plain reading
 * form (an extra member, a `__proto__` key, another kind) is encoded by `canonicalize`, so the
 * bytes are always the canonical ones; a replica that sends anything else fails the txRoot check.
 */
export function txLeafHash(tx: Record<string, unknown>): Uint8Array {
  const payloads = tx.payloads;
  if (tx.kind !== 'readingBatch' || !Array.isArray(payloads)) return merkleLeafHash(canonicalBytes(tx));
  const { payloads: _payloads, ...frame } = tx;
  const texts = payloads.map((p) =>
    plainReadingPayload(p) ? readingPayloadText(p.reading) : canonicalize(p),
  );
  return merkleLeafHash(utf8(canonicalWithArray(frame, 'payloads', texts, payloads)));
}

interface PlainReadingPayload {
  kind: 'reading';
  reading: { deviceId: string; seq: number; time: number; type: string; uom: string; value: number };
}

const READING_KEYS = new Set(['deviceId', 'seq', 'time', 'type', 'uom', 'value']);

function plainReadingPayload(p: unknown): p is PlainReadingPayload {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  const keys = Object.keys(p);
  if (keys.length !== 2 || (p as { kind?: unknown }).kind !== 'reading') return false;
  const r = (p as { reading?: unknown }).reading;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
  const readingKeys = Object.keys(r);
  if (readingKeys.length !== READING_KEYS.size || !readingKeys.every((k) => READING_KEYS.has(k)))
    return false;
  const x = r as Record<string, unknown>;
  return (
    typeof x.deviceId === 'string' &&
    typeof x.seq === 'number' &&
    typeof x.time === 'number' &&
    typeof x.type === 'string' &&
    typeof x.uom === 'string' &&
    typeof x.value === 'number'
  );
}

/**
 * The leaf hash of a transaction sent without its payloads (a compact receipt's reading batch),
 * with `payloads` — the payloads' canonical texts joined by commas, as UTF-8 bytes — spliced back in
 * as its `payloads` member: the hash of the frame's canonical text up to `"payloads":[`, the bytes,
 * and the rest. Equals `txLeafHash({...frame, payloads})` when the texts are canonical. Null when
 * the frame's text holds the empty-array marker more than once (no honest transaction does).
 */
export function splicedTxLeafHash(frame: Record<string, unknown>, payloads: Uint8Array): Uint8Array | null {
  const text = canonicalize({ ...frame, payloads: [] });
  const marker = '"payloads":[]';
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + 1) >= 0) return null;
  const cut = at + marker.length - 1;
  return domainHash('merkleLeaf', utf8(text.slice(0, cut)), payloads, utf8(text.slice(cut)));
}
