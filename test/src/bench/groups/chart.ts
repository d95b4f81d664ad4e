/**
 * A small SVG line chart (log-scale y optional), enough for the docs: axes with ticks, one polyline
 * and point markers per series, a legend. No dependency: it is ~100 lines of plain SVG text.
 */
export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  logY: boolean;
  series: readonly Series[];
  /** Vertical reference lines (e.g. √N), labelled. */
  markers?: readonly { x: number; label: string }[];
}

const width = 640;
const height = 400;
const margin = { left: 70, right: 20, top: 40, bottom: 55 };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((k) => k * magnitude).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

function label(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

export function lineChart(spec: ChartSpec): string {
  const points = spec.series
    .flatMap((s) => s.points)
    .filter(([, y]) => Number.isFinite(y) && (!spec.logY || y > 0));
  if (points.length === 0) throw new Error(`chart "${spec.title}": no points`);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(...xs) * 1.05;
  const fy = spec.logY ? Math.log10 : (y: number) => y;
  const yMin = spec.logY ? Math.floor(Math.log10(Math.min(...ys))) : Math.min(0, ...ys);
  const yMax = spec.logY ? Math.ceil(Math.log10(Math.max(...ys))) : Math.max(...ys) * 1.1;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => margin.top + plotH - ((fy(y) - yMin) / (yMax - yMin || 1)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    // A title gives the image its alternative text (screen readers, and Biome's a11y lint).
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  const yTicks = spec.logY
    ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i))
    : niceTicks(yMin, yMax, 6);
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const t of niceTicks(xMin, xMax, 8)) {
    const x = px(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="black"/>`,
    );
    out.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  for (const marker of spec.markers ?? []) {
    const x = px(marker.x).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#999" stroke-dasharray="4 4"/>`,
    );
    out.push(
      `<text x="${x}" y="${margin.top + 12}" text-anchor="start" dx="4" fill="#555">${escapeXml(marker.label)}</text>`,
    );
  }
  spec.series.forEach((series, i) => {
    const shown = series.points.filter(([, y]) => Number.isFinite(y) && (!spec.logY || y > 0));
    const path = shown.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    for (const [x, y] of shown) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${series.color}"/>`);
    }
    const ly = margin.top + 28 + i * 18;
    const lx = width - margin.right - 230;
    out.push(
      `<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
