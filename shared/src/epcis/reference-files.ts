import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Locates the reference checkout `../shared` (standards, vectors) that sits beside the repository.
 * Node-only (reads files), so it is not exported from the package index: import it by path from
 * tests and from the export tooling. It fails loudly rather than letting a test skip silently.
 */

/** How many directories we climb looking for the workspace root before giving up. */
const rootSearchDepthMax = 12;

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < rootSearchDepthMax; i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the repository root (pnpm-workspace.yaml) above ${start}`);
}

/** Absolute path of the reference directory `<repo>/../shared`. */
export function referenceDir(): string {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const dir = join(root, '..', 'shared');
  if (!existsSync(join(dir, 'standards')) || !existsSync(join(dir, 'vectors'))) {
    throw new Error(
      `reference files not found at ${dir}: Suyuan expects the shared standards and vectors checkout ` +
        `(with standards/ and vectors/) beside the repository, i.e. ${join(root, '..', 'shared')}`,
    );
  }
  return dir;
}

/** Absolute path of a file under the reference directory, e.g. `vectors/epc.json`. */
export function referencePath(relative: string): string {
  const path = join(referenceDir(), relative);
  if (!existsSync(path)) throw new Error(`reference file ${relative} is missing (looked for ${path})`);
  return path;
}

/** Read and parse a JSON (or JSON-LD) reference file. */
export function readReferenceJson(relative: string): unknown {
  return JSON.parse(readFileSync(referencePath(relative), 'utf8'));
}
