/**
 * The source report's 16-node trace-time table (seconds; /work/shared/reference/source-report.md),
 * GH = its grouped PBFT. Only ratios are compared: its absolute seconds come from a different machine
 * and include the whole trace, not just consensus.
 */
export const sourceTraceSeconds: readonly {
  blocks: number;
  ghSingle: number;
  ghMulti: number;
  pbftSingle: number;
  pbftMulti: number;
}[] = [
  { blocks: 1000, ghSingle: 86.7, ghMulti: 58.36, pbftSingle: 92.33, pbftMulti: 70.13 },
  { blocks: 2000, ghSingle: 197.03, ghMulti: 108.13, pbftSingle: 211.89, pbftMulti: 153.52 },
  { blocks: 3000, ghSingle: 261.88, ghMulti: 178.91, pbftSingle: 286.32, pbftMulti: 229.72 },
  { blocks: 4000, ghSingle: 388.56, ghMulti: 213.71, pbftSingle: 401.34, pbftMulti: 273.8 },
  { blocks: 5000, ghSingle: 489.39, ghMulti: 249.27, pbftSingle: 512.89, pbftMulti: 300.01 },
  { blocks: 6000, ghSingle: 536.49, ghMulti: 294.47, pbftSingle: 555.78, pbftMulti: 453.57 },
  { blocks: 7000, ghSingle: 623.12, ghMulti: 388.96, pbftSingle: 650.11, pbftMulti: 577.6 },
  { blocks: 8000, ghSingle: 801.78, ghMulti: 434.13, pbftSingle: 856.12, pbftMulti: 688.56 },
  { blocks: 9000, ghSingle: 911.23, ghMulti: 554.34, pbftSingle: 967.13, pbftMulti: 798.42 },
  { blocks: 10000, ghSingle: 1020.56, ghMulti: 632.88, pbftSingle: 1159.78, pbftMulti: 924.32 },
];

/** The source's other claim: 100 nodes in 10 even groups traced fastest. */
export const sourceBestGroupsAt100 = 10;

/** GH time ÷ PBFT time per row, for one chain model. */
export function sourceRatios(chain: 'single' | 'multi'): number[] {
  return sourceTraceSeconds.map((r) =>
    chain === 'single' ? r.ghSingle / r.pbftSingle : r.ghMulti / r.pbftMulti,
  );
}
