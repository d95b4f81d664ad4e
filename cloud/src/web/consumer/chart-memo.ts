import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { Chart, type ChartProps } from './chart.tsx';

/**
 * Rendered chart SVGs, reused: the items of a lot share its growing charts and usually its truck and
 * cold room, so a chart drawn for one item's page serves the next. The key names the series' source
 * (lot, sensor windows) plus its length and last point, so a series that grows draws afresh.
 * Bounded; the oldest entry goes first.
 */
export class ChartMemo {
  private readonly html = new Map<string, string>();
  private readonly entriesMax: number;

  constructor(entriesMax = 20_000) {
    this.entriesMax = entriesMax;
  }

  render(sourceKey: string, props: ChartProps): HtmlEscapedString {
    const last = props.points.at(-1);
    const key = `${sourceKey}|${props.title}|${props.lang}|${props.points.length}|${last?.time}|${last?.value}`;
    let html = this.html.get(key);
    if (html === undefined) {
      html = String(Chart(props));
      if (this.html.size >= this.entriesMax) this.html.delete(this.html.keys().next().value!);
      this.html.set(key, html);
    }
    return raw(html);
  }
}
