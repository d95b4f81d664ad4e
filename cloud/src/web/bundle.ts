import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Bundles the page's verifier (browser/badge.ts → verify/verify-trace.ts → shared canonical JSON,
 * Merkle, certificate and envelope code) for the browser once per process, in memory. shared/'s three
 * node:crypto/Buffer modules are swapped for browser/shims/* (WebCrypto-free, @noble for SHA-256 and
 * Ed25519), so the phone runs the same verification code the server's tests run.
 */

const here = dirname(fileURLToPath(import.meta.url));
const shimmed = /[\\/]shared[\\/]src[\\/](bytes|hash|ed25519)\.ts$/;

const browserShims: Plugin = {
  name: 'suyuan-browser-shims',
  setup(b) {
    b.onLoad({ filter: shimmed }, async (args) => {
      const name = shimmed.exec(args.path)?.[1] ?? '';
      const path = join(here, 'browser', 'shims', `${name}.ts`);
      return { contents: await readFile(path, 'utf8'), loader: 'ts', resolveDir: dirname(path) };
    });
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${args.importer} cannot run in a browser` }],
    }));
  },
};

export interface BrowserBundle {
  code: string;
  etag: string;
  bytes: number;
}

let cached: Promise<BrowserBundle> | undefined;

/** The verifier bundle (minified ES2020 IIFE); built on first call, shared by every app in the process. */
export function verifierBundle(): Promise<BrowserBundle> {
  cached ??= build({
    entryPoints: [join(here, 'browser', 'badge.ts')],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    plugins: [browserShims],
    logLevel: 'silent',
  }).then((result) => {
    const code = result.outputFiles[0]?.text ?? '';
    const etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 16)}"`;
    return { code, etag, bytes: Buffer.byteLength(code) };
  });
  return cached;
}
