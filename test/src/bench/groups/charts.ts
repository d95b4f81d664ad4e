import { lineChart } from './chart.ts';
import { gForBusiest, gForTotal } from './cost-model.ts';
import type { GroupsResult } from './result.ts';

/** The two charts docs/benchmarks.md shows, from a result. */
export function chartsOf(result: GroupsResult): { file: string; svg: string }[] {
  const valid = result.sweep.points.filter((p) => p.valid && p.loaded !== undefined);
  const n = result.sweep.n;
  const perBatch = lineChart({
    title: `Messages per committed batch, N = ${n}, by number of groups g`,
    xLabel: 'groups g (g = 1 is flat PBFT)',
    yLabel: 'messages per batch (log scale)',
    logY: true,
    series: [
      { name: 'total, loaded', color: '#1f77b4', points: valid.map((p) => [p.g, p.loaded!.messages]) },
      {
        name: 'total, one batch alone',
        color: '#9ecae1',
        points: valid.map((p) => [p.g, p.single!.messages]),
      },
      {
        name: 'busiest node, loaded',
        color: '#d62728',
        points: valid.map((p) => [p.g, p.loaded!.busiest.messages]),
      },
    ],
    markers: [
      { x: gForBusiest(n), label: '√N' },
      { x: gForTotal(n), label: '(N²/2)^⅓' },
    ],
  });
  const advantage = lineChart({
    title: 'Advantage of the best grouping over flat PBFT, by N',
    xLabel: 'replicas N',
    yLabel: 'flat ÷ grouped (log scale)',
    logY: true,
    series: [
      {
        name: 'messages per batch',
        color: '#1f77b4',
        points: result.scale.map((s) => [s.n, ratio(s.flat.loaded?.messages, s.best.loaded?.messages)]),
      },
      {
        name: 'busiest-node messages',
        color: '#d62728',
        points: result.scale.map((s) => [
          s.n,
          ratio(s.flat.loaded?.busiest.messages, s.best.loaded?.busiest.messages),
        ]),
      },
      {
        name: 'modelled throughput (grouped ÷ flat)',
        color: '#2ca02c',
        points: result.scale.map((s) => [
          s.n,
          ratio(s.best.loaded?.modelThroughputPerS, s.flat.loaded?.modelThroughputPerS),
        ]),
      },
    ],
  });
  return [
    { file: 'groups-n100.svg', svg: perBatch },
    { file: 'groups-advantage.svg', svg: advantage },
  ];
}

export function ratio(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined || b === 0 ? Number.NaN : a / b;
}
