import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchNames, regionProblems, replaceRegion } from './bench-report-regions.ts';

/**
 * `pnpm bench [--quick] [--only a,b] [--no-docs] [--<name>-args "<flags>"] [-- <flags for every bench>]`
 *
 * Runs every benchmark in sequence (consensus, groups, trace, edge, web, e2e), each as its own
 * process with `--out test/bench/results/latest/<name>.json` (and `--quick` when given), then
 * rewrites the region `<!-- bench:<name> -->` … `<!-- /bench:<name> -->` of docs/benchmarks.md with
 * the bench's `renderReport(json)` from `test/src/bench/<name>-report.ts`. A bench whose script is
 * missing is skipped with a warning, one whose renderer is missing runs but keeps its region; one that fails keeps its old region and makes the
 * exit code 1, the others still run. Prose outside the markers is never touched.
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const benchDir = join(repoRoot, 'test/src/bench');
const latestDir = join(repoRoot, 'test/bench/results/latest');
const docsPath = join(repoRoot, 'docs/benchmarks.md');

interface Options {
  quick: boolean;
  only: string[];
  docs: boolean;
  perBench: Map<string, string[]>;
  common: string[];
}

export function parseAllArgs(argv: readonly string[]): Options {
  const options: Options = {
    quick: false,
    only: [...benchNames],
    docs: true,
    perBench: new Map(),
    common: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (arg === '--') {
      options.common.push(...argv.slice(i + 1));
      break;
    } else if (flag === '--quick') options.quick = true;
    else if (flag === '--no-docs') options.docs = false;
    else if (flag === '--only')
      options.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (/^--[a-z0-9]+-args$/.test(flag)) {
      const name = flag.slice(2, -'-args'.length);
      options.perBench.set(name, value().split(/\s+/).filter(Boolean));
    } else options.common.push(arg);
  }
  const unknown = options.only.filter((n) => !(benchNames as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`--only: unknown bench ${unknown.join(', ')} (known: ${benchNames.join(', ')})`);
  return options;
}

interface Outcome {
  name: string;
  status: 'ok' | 'skipped' | 'failed';
  detail: string;
  seconds: number;
}

function runBench(name: string, options: Options): Outcome {
  const script = join(benchDir, `${name}.ts`);
  if (!existsSync(script)) return { name, status: 'skipped', detail: `no ${script}`, seconds: 0 };
  const out = join(latestDir, `${name}.json`);
  const args = [
    '--import',
    'tsx',
    script,
    '--out',
    out,
    ...(options.quick ? ['--quick'] : []),
    ...options.common,
    ...(options.perBench.get(name) ?? []),
  ];
  console.log(`\n=== bench ${name}: node ${args.slice(2).join(' ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (result.status !== 0)
    return { name, status: 'failed', detail: `exit ${result.status ?? result.signal}`, seconds };
  if (!existsSync(out)) return { name, status: 'failed', detail: `wrote no ${out}`, seconds };
  return { name, status: 'ok', detail: out, seconds };
}

/** The bench's markdown, or null when it has no renderer yet (its region is then left as it is). */
async function render(name: string): Promise<string | null> {
  const renderer = join(benchDir, `${name}-report.ts`);
  if (!existsSync(renderer)) return null;
  const module = (await import(pathToFileURL(renderer).href)) as { renderReport?: (r: unknown) => string };
  if (typeof module.renderReport !== 'function') throw new Error(`${renderer} exports no renderReport`);
  const json = JSON.parse(readFileSync(join(latestDir, `${name}.json`), 'utf8')) as unknown;
  return module.renderReport(json);
}

async function main(): Promise<number> {
  const options = parseAllArgs(process.argv.slice(2));
  mkdirSync(latestDir, { recursive: true });
  if (options.docs) {
    for (const { name, problem } of regionProblems(readFileSync(docsPath, 'utf8'), options.only))
      console.warn(
        `! docs/benchmarks.md: markers for ${name} are ${problem}; its region will not be rewritten`,
      );
  }
  const outcomes: Outcome[] = [];
  for (const name of options.only) {
    const outcome = runBench(name, options);
    if (outcome.status === 'skipped') console.warn(`! skipping bench ${name}: ${outcome.detail}`);
    outcomes.push(outcome);
  }
  let failed = outcomes.some((o) => o.status === 'failed');
  if (options.docs) {
    // Re-read: a bench may have edited the doc's prose while running (none should, but never clobber it).
    let doc = readFileSync(docsPath, 'utf8');
    for (const outcome of outcomes.filter((o) => o.status === 'ok')) {
      try {
        const markdown = await render(outcome.name);
        if (markdown === null) {
          console.warn(`! ${outcome.name}: no ${outcome.name}-report.ts, its docs region is left as it was`);
          outcome.detail += ' (no renderer: docs region not rewritten)';
          continue;
        }
        doc = replaceRegion(doc, outcome.name, markdown);
        console.log(`docs/benchmarks.md: rewrote the ${outcome.name} region`);
      } catch (error) {
        failed = true;
        outcome.status = 'failed';
        outcome.detail = `report: ${(error as Error).message}`;
      }
    }
    writeFileSync(docsPath, doc);
  }
  console.log('\nbench summary:');
  for (const o of outcomes)
    console.log(`  ${o.name.padEnd(10)} ${o.status.padEnd(8)} ${o.seconds}s  ${o.detail}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.message);
      process.exit(2);
    },
  );
}
