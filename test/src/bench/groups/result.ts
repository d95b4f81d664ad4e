import type { MeasuredConstants } from './constants.ts';
import type { SimPoint } from './experiments.ts';
import type { RealRun } from './real.ts';
import type { ScalePoint } from './scale.ts';

/** The JSON `pnpm bench:groups` writes. */
export interface GroupsResult {
  benchmark: 'groups';
  version: 1;
  date: string;
  quick: boolean;
  machine: {
    node: string;
    cpu: string;
    cores: number;
    loadAverage1mAtStart: number;
    loadAverage1mAtEnd: number;
  };
  workload: {
    requestsPerBatch: number;
    requestBytes: number;
    loadedBatches: { flat: number; perGroup: number };
    tickMs: number;
  };
  constants: MeasuredConstants;
  sweep: { n: number; points: SimPoint[] };
  scale: ScalePoint[];
  real: { n: number; offeredPerS: number; requestsPerCall: number } & (
    | { runs: RealRun[] }
    | { skipped: string }
  );
  durationMs: number;
}

type Check = [path: string, ok: (v: unknown) => boolean];
const isNum = (v: unknown) => typeof v === 'number';
const isStr = (v: unknown) => typeof v === 'string';
const isArr = (v: unknown) => Array.isArray(v);
const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const topChecks: Check[] = [
  ['benchmark', (v) => v === 'groups'],
  ['version', (v) => v === 1],
  ['date', isStr],
  ['quick', (v) => typeof v === 'boolean'],
  ['machine.node', isStr],
  ['machine.cpu', isStr],
  ['machine.cores', isNum],
  ['machine.loadAverage1mAtStart', isNum],
  ['workload.requestsPerBatch', isNum],
  ['constants.signPerS', isNum],
  ['constants.verifyPerS', isNum],
  ['constants.encodeUs', isObj],
  ['constants.receiveUs', isObj],
  ['constants.loopback.oneWayUs', isNum],
  ['sweep.n', isNum],
  ['sweep.points', isArr],
  ['scale', isArr],
  ['real', isObj],
];

const pointChecks: Check[] = [
  ['n', isNum],
  ['g', isNum],
  ['valid', (v) => typeof v === 'boolean'],
  ['analytic.messages', isNum],
];

const loadedChecks: Check[] = [
  ['loaded.messages', isNum],
  ['loaded.busiest.messages', isNum],
  ['loaded.modelThroughputPerS', isNum],
  ['single.messages', isNum],
  ['single.desLatencyUs', isNum],
];

function check(value: unknown, checks: Check[], where: string): void {
  for (const [path, ok] of checks) {
    if (!ok(at(value, path))) {
      throw new Error(
        `groups bench result: ${where}${path} is missing or has the wrong type (got ${JSON.stringify(at(value, path))})`,
      );
    }
  }
}

function checkPoint(point: unknown, where: string): void {
  check(point, pointChecks, where);
  if (at(point, 'valid') === true) check(point, loadedChecks, where);
}

/** Validates the shape of a groups result; throws a clear error naming the first bad field. */
export function parseGroupsResult(value: unknown): GroupsResult {
  check(value, topChecks, '');
  for (const [i, p] of (at(value, 'sweep.points') as unknown[]).entries())
    checkPoint(p, `sweep.points.${i}.`);
  (at(value, 'scale') as unknown[]).forEach((p, i) => {
    check(
      p,
      [
        ['n', isNum],
        ['candidates', isArr],
      ],
      `scale.${i}.`,
    );
    checkPoint(at(p, 'flat'), `scale.${i}.flat.`);
    checkPoint(at(p, 'best'), `scale.${i}.best.`);
  });
  const real = at(value, 'real');
  if (!isArr(at(real, 'runs')) && !isStr(at(real, 'skipped'))) {
    throw new Error('groups bench result: real needs runs[] or skipped');
  }
  return value as GroupsResult;
}
