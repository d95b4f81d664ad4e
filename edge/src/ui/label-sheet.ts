import QRCode from 'qrcode';

/**
 * A printable sheet of QR labels as one SVG page (A4 portrait, millimetres): one GS1 Digital Link QR
 * per item with its serial printed under it. `labelsPerSheetMax` bounds the page.
 */
export const labelsPerSheetMax = 200;
const columns = 4;
const cellMm = 50;
const qrMm = 38;

export interface Label {
  link: string;
  caption: string;
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

export function labelSheetSvg(labels: readonly Label[], title: string): string {
  const shown = labels.slice(0, labelsPerSheetMax);
  const rows = Math.max(1, Math.ceil(shown.length / columns));
  const width = columns * cellMm;
  const height = rows * cellMm + 12;
  const cells = shown.map((label, i) => {
    const x = (i % columns) * cellMm;
    const y = 12 + Math.floor(i / columns) * cellMm;
    const qr = QRCode.create(label.link, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    const scale = qrMm / n;
    let path = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) path += `M${c} ${r}h1v1h-1z`;
    }
    const ox = x + (cellMm - qrMm) / 2;
    return `<g><rect x="${x + 1}" y="${y + 1}" width="${cellMm - 2}" height="${cellMm - 2}" fill="none" stroke="#bbb" stroke-width="0.2"/>
<path transform="translate(${ox} ${y + 3}) scale(${scale})" d="${path}" fill="#000"><title>${escapeXml(label.link)}</title></path>
<text x="${x + cellMm / 2}" y="${y + qrMm + 8}" font-size="3.5" text-anchor="middle" font-family="monospace">${escapeXml(label.caption)}</text></g>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}mm" height="${height}mm" viewBox="0 0 ${width} ${height}">
<title>${escapeXml(title)}</title><rect width="100%" height="100%" fill="#fff"/>
<text x="4" y="8" font-size="5" font-family="sans-serif">${escapeXml(title)}</text>
${cells.join('\n')}
</svg>`;
}
