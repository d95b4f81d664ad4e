import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type BodyPart, gzipLevel, gzipParts } from './gzip-parts.ts';

/**
 * Rendered responses (consumer pages, link sets, proof bundles, QR images) kept per key, bounded in
 * entries and bytes (least recently used goes first). Every entry carries the ledger's change stamp
 * it was made at: a lookup with another stamp is a miss, so a block that commits (a new event, a
 * hold or recall) retires every page at once without tracking which items it touched. Entries also
 * age out after `entryAgeMsMax`, so data the stamp leaves out on purpose (telemetry readings on the
 * charts) still catches up. Bodies are stored with a strong ETag and, when worth it, gzipped once.
 */

export interface CachedResponse {
  stamp: string;
  madeAt: number;
  /** False for responses the stamp covers entirely (link sets, proofs, QR codes): they never age out. */
  ages: boolean;
  etag: string;
  contentType: string;
  body: Uint8Array;
  /**
   * gzip of `body`, made on the first request that accepts gzip (undefined until then); null when it
   * would not be smaller (small or incompressible bodies).
   */
  gzip: Uint8Array | null | undefined;
  /**
   * The body as parts, some deflated already (shared page sections): the gzip is then joined from
   * them instead of deflating the whole body. Dropped once the gzip is made.
   */
  parts?: readonly BodyPart[] | undefined;
}

/** What a response maker returns: the body, and optionally the parts it is made of (see `parts`). */
export interface MadeResponse {
  contentType: string;
  body: string | Uint8Array;
  parts?: readonly BodyPart[] | undefined;
}

export interface ResponseCacheLimits {
  entriesMax: number;
  bytesMax: number;
  entryAgeMsMax: number;
  /** Bodies at least this big are gzipped when stored. */
  gzipFromBytes: number;
}

export const defaultResponseCacheLimits: ResponseCacheLimits = {
  entriesMax: 200_000,
  bytesMax: 256 * 1024 * 1024,
  entryAgeMsMax: 30_000,
  gzipFromBytes: 1024,
};

/** Build an entry: hash for the ETag; gzip later, once, when someone asks for it. */
export function makeCachedResponse(
  stamp: string,
  madeAt: number,
  contentType: string,
  body: string | Uint8Array,
  gzipFromBytes: number,
  ages = true,
  parts?: readonly BodyPart[],
): CachedResponse {
  const bytes = typeof body === 'string' ? new Uint8Array(Buffer.from(body, 'utf8')) : body;
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  const gzip = bytes.byteLength >= gzipFromBytes ? undefined : null;
  return {
    stamp,
    madeAt,
    ages,
    etag,
    contentType,
    body: bytes,
    gzip,
    parts: gzip === null ? undefined : parts,
  };
}

/** The entry's gzip body, compressed on first use and kept; null when gzip does not pay. */
export function gzipOf(entry: CachedResponse): Uint8Array | null {
  if (entry.gzip === undefined) {
    const packed = entry.parts ? gzipParts(entry.parts) : gzipSync(entry.body, { level: gzipLevel });
    entry.gzip = packed.byteLength < entry.body.byteLength ? new Uint8Array(packed) : null;
    entry.parts = undefined;
  }
  return entry.gzip;
}

/** Bytes an entry may take, counted at insertion: its gzip (made later) is kept only if smaller than the body. */
const sizeOf = (key: string, e: CachedResponse) =>
  key.length * 2 + e.body.byteLength * (e.gzip === null ? 1 : 2) + e.etag.length * 2 + 64;

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private readonly limits: ResponseCacheLimits;
  hits = 0;
  misses = 0;

  constructor(limits: ResponseCacheLimits = defaultResponseCacheLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** The entry for `key` if it was made at `stamp` and is young enough; refreshes its recency. */
  get(key: string, stamp: string, nowMs: number): CachedResponse | null {
    const entry = this.entries.get(key);
    if (!entry || entry.stamp !== stamp || (entry.ages && nowMs - entry.madeAt > this.limits.entryAgeMsMax)) {
      if (entry) this.remove(key, entry);
      this.misses += 1;
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    const size = sizeOf(key, entry);
    if (size > this.limits.bytesMax) return;
    this.entries.set(key, entry);
    this.bytes += size;
    while (this.entries.size > this.limits.entriesMax || this.bytes > this.limits.bytesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value, this.entries.get(oldest.value)!);
    }
  }

  /**
   * Make-or-reuse: `make` runs only on a miss; its entry is stored. `ages: false` for responses that
   * depend on nothing the stamp leaves out (everything but pages with charts): only the stamp retires them.
   */
  async getOrMake(
    key: string,
    stamp: string,
    nowMs: number,
    make: () => Promise<MadeResponse | null>,
    ages = true,
  ): Promise<CachedResponse | null> {
    const hit = this.get(key, stamp, nowMs);
    if (hit) return hit;
    const made = await make();
    if (!made) return null;
    const entry = makeCachedResponse(
      stamp,
      nowMs,
      made.contentType,
      made.body,
      this.limits.gzipFromBytes,
      ages,
      made.parts,
    );
    this.set(key, entry);
    return entry;
  }

  private remove(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    this.bytes -= sizeOf(key, entry);
  }
}
