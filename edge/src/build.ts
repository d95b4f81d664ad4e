import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Compiles the gateway daemon to plain JavaScript, so production and the benchmark run it with
 * `node` alone: no tsx loader (its worker thread and the esbuild service cost ~30 MB of RSS) and no
 * per-module TypeScript transform at start. Output goes to `edge/dist/` (gitignored, never committed);
 * native addons (better-sqlite3, the serialport binding) stay external and load from node_modules.
 * Run: `pnpm edge:build` (or `tsx edge/src/build.ts`); prints the entry file it wrote.
 */
const edgeRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const gatewayBundleDir = join(edgeRoot, 'dist');

export interface GatewayBundle {
  /** `node <cli> start --config F` runs the daemon. */
  cli: string;
  /** Entry for the demo gateway with serial readers (`scripts/demo/gateway-main.ts`), when asked for. */
  extra: Record<string, string>;
}

/** Bundles `edge/src/cli.ts` (and any `extraEntries`, name → TS file) into `edge/dist/`. */
export async function buildGatewayBundle(extraEntries: Record<string, string> = {}): Promise<GatewayBundle> {
  await build({
    entryPoints: { 'suyuan-edge': join(edgeRoot, 'src/cli.ts'), ...extraEntries },
    outdir: gatewayBundleDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', '@serialport/bindings-cpp'],
    // Bundled CommonJS dependencies call require(); give the ESM output one.
    banner: {
      js: "import { createRequire as __suyuanCreateRequire } from 'node:module'; const require = __suyuanCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const extra = Object.fromEntries(
    Object.keys(extraEntries).map((name) => [name, join(gatewayBundleDir, `${name}.mjs`)]),
  );
  return { cli: join(gatewayBundleDir, 'suyuan-edge.mjs'), extra };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bundle = await buildGatewayBundle();
  console.log(bundle.cli);
}
