/**
 * The GS1 Digital Link resolver's answer to an API client: an RFC 9264 link set
 * (`application/linkset+json`) with GS1 Web Vocabulary link types, anchored at the item's own URI.
 */

export const linksetMediaType = 'application/linkset+json';
const gs1 = 'https://gs1.org/voc/';

export interface LinksetInput {
  /** Absolute URI of the identity on this resolver, e.g. https://host/01/<gtin>/21/<serial>. */
  anchor: string;
  title: string;
  proofsUrl: string;
  qrSvgUrl: string | null;
  labelsUrl: string | null;
  status: string;
}

export function buildLinkset(input: LinksetInput) {
  const pip = [
    { href: `${input.anchor}?lang=zh`, title: input.title, type: 'text/html', hreflang: ['zh'] },
    { href: `${input.anchor}?lang=en`, title: input.title, type: 'text/html', hreflang: ['en'] },
  ];
  const links: Record<string, unknown> = {
    anchor: input.anchor,
    [`${gs1}defaultLink`]: [{ href: input.anchor, title: input.title, type: 'text/html' }],
    [`${gs1}pip`]: pip,
    [`${gs1}traceability`]: [
      { href: input.proofsUrl, title: 'events with ledger proofs', type: 'application/json' },
    ],
    [`${gs1}recallStatus`]: [{ href: input.anchor, title: `status: ${input.status}`, type: 'text/html' }],
  };
  if (input.qrSvgUrl) links[`${gs1}qrcode`] = [{ href: input.qrSvgUrl, type: 'image/svg+xml' }];
  if (input.labelsUrl)
    links[`${gs1}relatedImage`] = [{ href: input.labelsUrl, title: 'QR label sheet', type: 'text/html' }];
  return { linkset: [links] };
}

/** True when the client asked for a link set rather than a page (Accept, or `?linkType=all`). */
export function wantsLinkset(accept: string | undefined, linkType: string | undefined): boolean {
  if (linkType === 'all' || linkType === 'linkset') return true;
  const a = (accept ?? '').toLowerCase();
  if (a.includes(linksetMediaType)) return true;
  return a.includes('application/json') && !a.includes('text/html');
}
