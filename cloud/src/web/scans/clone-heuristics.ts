/**
 * Suspected QR clones, from scan counts alone (no personal data: no IPs, no device ids, only a coarse
 * region per scan). A printed code that is copied shows up as one serial scanned far more often than a
 * single item is, or scanned repeatedly in regions it was never shipped to.
 */

export interface CloneSettings {
  /** More scans than this for one serial is suspicious (a family scans an item a few times). */
  expectedScansMax: number;
  /** Scans from regions other than the last shipment's before we call it a mismatch (travellers exist). */
  foreignScansMin: number;
}

export const defaultCloneSettings: CloneSettings = { expectedScansMax: 25, foreignScansMin: 3 };

export interface ScanStats {
  count: number;
  /** Scans per coarse region code (ISO 3166-1/-2, e.g. CN or CN-SH); unknown region not counted. */
  regions: Record<string, number>;
}

export type CloneReason = 'tooManyScans' | 'regionMismatch';

export interface CloneAssessment {
  suspected: boolean;
  reasons: CloneReason[];
  foreignScans: number;
}

/** A scan region matches the shipment's when equal, or when either is only the other's country. */
export function regionMatches(scan: string, shipped: string): boolean {
  if (scan === shipped) return true;
  const [scanCountry] = scan.split('-');
  const [shippedCountry] = shipped.split('-');
  if (scanCountry !== shippedCountry) return false;
  return !scan.includes('-') || !shipped.includes('-');
}

export function assessScans(
  stats: ScanStats,
  lastShipmentRegion: string | null,
  settings: CloneSettings,
): CloneAssessment {
  const reasons: CloneReason[] = [];
  if (stats.count > settings.expectedScansMax) reasons.push('tooManyScans');
  let foreignScans = 0;
  if (lastShipmentRegion !== null) {
    for (const [region, n] of Object.entries(stats.regions)) {
      if (!regionMatches(region, lastShipmentRegion)) foreignScans += n;
    }
    if (foreignScans >= settings.foreignScansMin) reasons.push('regionMismatch');
  }
  return { suspected: reasons.length > 0, reasons, foreignScans };
}

const REGION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

/** A coarse region from the query (`?region=`) or a header set by the edge proxy; null if absent or bad. */
export function parseRegion(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const upper = value.trim().toUpperCase();
  return REGION.test(upper) ? upper : null;
}
