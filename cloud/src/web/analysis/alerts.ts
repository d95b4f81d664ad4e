import type { Excursion } from './excursions.ts';

/**
 * The regulator's alerts as plain data, from inputs gathered elsewhere: cold-chain excursions,
 * pre-harvest-interval violations, rejected submissions, unknown devices, sequence gaps, suspected
 * clones. Pure: detection here, I/O in the route.
 */

export type AlertKind =
  | 'coldChain'
  | 'preHarvestInterval'
  | 'rejected'
  | 'unknownDevice'
  | 'sequenceGap'
  | 'suspectedClone';

export interface Alert {
  kind: AlertKind;
  severity: 'high' | 'medium';
  time: number;
  subject: string;
  /** English text (alerts.json); the dashboard renders `details` through its per-kind template instead. */
  message: string;
  details: Record<string, string | number>;
}

export interface SprayRecord {
  time: number;
  preHarvestIntervalDays: number;
  productName: string | null;
}

const dayMs = 24 * 3_600_000;

/** A harvest sooner after a spraying than that spraying's pre-harvest interval allows. */
export function phiViolations(
  lotKey: string,
  sprays: readonly SprayRecord[],
  harvestAt: number | null,
): Alert[] {
  if (harvestAt === null) return [];
  const out: Alert[] = [];
  for (const s of sprays) {
    const waitedDays = (harvestAt - s.time) / dayMs;
    if (s.time <= harvestAt && waitedDays < s.preHarvestIntervalDays) {
      out.push({
        kind: 'preHarvestInterval',
        severity: 'high',
        time: harvestAt,
        subject: lotKey,
        message: `harvested ${waitedDays.toFixed(1)} days after spraying ${s.productName ?? 'a pesticide'}; interval is ${s.preHarvestIntervalDays} days`,
        details: {
          waited: waitedDays.toFixed(1),
          product: s.productName ?? '?',
          interval: s.preHarvestIntervalDays,
        },
      });
    }
  }
  return out;
}

export function excursionAlerts(
  lotKey: string,
  excursions: readonly Excursion[],
  limits: { minC: number; maxC: number },
): Alert[] {
  return excursions.map((e) => ({
    kind: 'coldChain',
    severity: 'high',
    time: e.from,
    subject: lotKey,
    message: `${e.deviceId}: ${e.minutes} min outside ${limits.minC}–${limits.maxC} °C (peak ${e.peakC} °C)`,
    details: { device: e.deviceId, minutes: e.minutes, min: limits.minC, max: limits.maxC, peak: e.peakC },
  }));
}

export interface RejectionInput {
  submitter: string;
  seq: number;
  time: number;
  reason: { code: string; message: string };
}

export const unknownDeviceCodes: readonly string[] = ['registry.unknownDevice'];

export function rejectionAlerts(rejections: readonly RejectionInput[]): Alert[] {
  return rejections.map((r) => {
    const unknownDevice = unknownDeviceCodes.includes(r.reason.code);
    return {
      kind: unknownDevice ? 'unknownDevice' : 'rejected',
      severity: unknownDevice ? 'high' : 'medium',
      time: r.time,
      subject: `${r.submitter}#${r.seq}`,
      message: `${r.reason.code}: ${r.reason.message}`,
      details: { code: r.reason.code, reason: r.reason.message },
    };
  });
}

export function gapAlerts(
  gaps: readonly { deviceId: string; after: number; next: number; time: number }[],
): Alert[] {
  return gaps.map((g) => ({
    kind: 'sequenceGap',
    severity: 'medium',
    time: g.time,
    subject: g.deviceId,
    message: `readings ${g.after + 1}…${g.next - 1} missing (${g.next - g.after - 1})`,
    details: { from: g.after + 1, to: g.next - 1, n: g.next - g.after - 1 },
  }));
}

export function cloneAlerts(
  suspects: readonly {
    key: string;
    firstFlaggedAt: number;
    reasons: readonly string[];
    count: number;
    foreignScans: number;
    shippedTo: string | null;
  }[],
): Alert[] {
  return suspects.map((s) => ({
    kind: 'suspectedClone',
    severity: 'high',
    time: s.firstFlaggedAt,
    subject: s.key,
    message: `${s.reasons.join(', ')}: ${s.count} scans, ${s.foreignScans} outside ${s.shippedTo ?? 'its shipment region'}`,
    details: {
      reasons: s.reasons.join(', '),
      count: s.count,
      foreign: s.foreignScans,
      region: s.shippedTo ?? '?',
    },
  }));
}

export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  const rank = { high: 0, medium: 1 };
  return [...alerts].sort((a, b) => rank[a.severity] - rank[b.severity] || b.time - a.time);
}
