/**
 * Server-rendered SVG line charts: no script, no library, a few kilobytes. Series are bucketed to at
 * most `chartPointsMax` points (keeping the extreme of each bucket, so a short excursion still shows),
 * with an optional allowed band drawn behind and out-of-band points in red.
 */

export const chartPointsMax = 120;

export interface ChartPoint {
  time: number;
  value: number;
}

export interface ChartProps {
  title: string;
  points: readonly ChartPoint[];
  band?: { min: number; max: number; label: string } | undefined;
  emptyText: string;
  lang: string;
}

const W = 320;
const H = 150;
const PAD = { left: 34, right: 8, top: 10, bottom: 22 };

/** Keep at most `max` points: per bucket, the value farthest from the bucket's mean. */
export function bucketPoints(points: readonly ChartPoint[], max: number): ChartPoint[] {
  if (points.length <= max) return [...points];
  const size = points.length / max;
  const out: ChartPoint[] = [];
  for (let b = 0; b < max; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    const mean = bucket.reduce((s, p) => s + p.value, 0) / bucket.length;
    let pick = bucket[0]!;
    for (const p of bucket) if (Math.abs(p.value - mean) > Math.abs(pick.value - mean)) pick = p;
    out.push(pick);
  }
  return out;
}

function formatDay(ms: number, lang: string): string {
  const d = new Date(ms + 8 * 3_600_000);
  return lang === 'zh'
    ? `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
    : `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
}

export function Chart(props: ChartProps) {
  const points = bucketPoints(props.points, chartPointsMax);
  if (points.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{props.title}</figcaption>
        <p class="muted">{props.emptyText}</p>
      </figure>
    );
  }
  const values = points.map((p) => p.value);
  const lo = Math.min(...values, props.band?.min ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(...values, props.band?.max ?? Number.NEGATIVE_INFINITY);
  const span = hi - lo || 1;
  const t0 = points[0]!.time;
  const t1 = points.at(-1)!.time;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / span) * (H - PAD.top - PAD.bottom);
  const line = points.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const band = props.band;
  const outside = band ? points.filter((p) => p.value < band.min || p.value > band.max) : [];
  return (
    <figure class="chart">
      <figcaption>
        {props.title}
        {band ? <span class="muted"> · {band.label}</span> : null}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        {band ? (
          <rect
            x={PAD.left}
            y={y(band.max).toFixed(1)}
            width={W - PAD.left - PAD.right}
            height={(y(band.min) - y(band.max)).toFixed(1)}
            class="band"
          />
        ) : null}
        <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} class="axis" />
        <text x={PAD.left - 4} y={y(hi) + 4} class="tick" text-anchor="end">
          {hi.toFixed(0)}
        </text>
        <text x={PAD.left - 4} y={y(lo)} class="tick" text-anchor="end">
          {lo.toFixed(0)}
        </text>
        <text x={PAD.left} y={H - 6} class="tick">
          {formatDay(t0, props.lang)}
        </text>
        <text x={W - PAD.right} y={H - 6} class="tick" text-anchor="end">
          {formatDay(t1, props.lang)}
        </text>
        <polyline points={line} class="series" />
        {outside.map((p) => (
          <circle cx={x(p.time).toFixed(1)} cy={y(p.value).toFixed(1)} r="2.5" class="alarm" />
        ))}
      </svg>
    </figure>
  );
}
