import { fromBase64Url } from '@suyuan/shared/bytes';
import { type ProofsDocument, type VerifyResult, verifyProofs } from '../verify/verify-trace.ts';

/**
 * The consumer page's verification badge, run in the phone's browser: fetch the proofs JSON, check it
 * with the replica public keys the page was configured with, and say "verified" or exactly what failed.
 * Bundled by ../bundle.ts with browser crypto in place of node:crypto. Text only (no innerHTML).
 */

interface BadgeElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  className: string;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): BadgeElement | null;
}

declare const document: { getElementById(id: string): BadgeElement | null };

export interface BadgeStrings {
  checking: string;
  verified: string;
  failed: string;
  summary: string;
  fetchFailed: string;
  event: string;
  checks: Record<string, string>;
}

export const failuresShownMax = 6;

export function describe(result: VerifyResult, strings: BadgeStrings): { title: string; detail: string } {
  const summary = strings.summary
    .replace('{events}', String(result.eventsChecked))
    .replace('{certificates}', String(result.certificatesChecked));
  if (result.ok) return { title: strings.verified, detail: summary };
  const lines = result.failures.slice(0, failuresShownMax).map((f) => {
    const check = strings.checks[f.check] ?? f.check;
    return `${strings.event} ${f.eventIndex + 1}: ${check} — ${f.message}`;
  });
  if (result.failures.length > failuresShownMax)
    lines.push(`… +${result.failures.length - failuresShownMax}`);
  return { title: strings.failed, detail: lines.join('\n') };
}

function show(badge: BadgeElement, state: string, title: string, detail: string): void {
  badge.setAttribute('data-state', state);
  badge.className = `badge badge-${state}`;
  const titleEl = badge.querySelector('.badge-title');
  const detailEl = badge.querySelector('.badge-detail');
  if (titleEl) titleEl.textContent = title;
  if (detailEl) detailEl.textContent = detail;
}

async function run(): Promise<void> {
  const badge = document.getElementById('verify-badge');
  if (!badge) return;
  const strings = JSON.parse(badge.dataset.strings ?? '{}') as BadgeStrings;
  try {
    const keys = (JSON.parse(badge.dataset.replicaKeys ?? '[]') as string[]).map((k) => fromBase64Url(k));
    const response = await fetch(badge.dataset.proofs ?? '', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = (await response.json()) as ProofsDocument;
    const groups = badge.dataset.replicaGroups
      ? (JSON.parse(badge.dataset.replicaGroups) as number[][])
      : undefined;
    const result = verifyProofs(doc, keys, groups);
    const { title, detail } = describe(result, strings);
    show(badge, result.ok ? 'verified' : 'failed', title, detail);
  } catch (error) {
    show(badge, 'failed', strings.failed, `${strings.fetchFailed}: ${String(error)}`);
  }
}

void run();
