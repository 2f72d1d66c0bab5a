/**
 * The explorer's files: the page and its bundles as built by `npm run build:explorer` (scripts/build-explorer.mjs →
 * dist/explorer/: index.html, app.js, app.css, worker.js, the tfjs wasm binaries) and the kernels
 * (build/kernels.wasm), read once into memory and served with headers that keep the page on its own server: a
 * Content-Security-Policy whose connect-src is 'self' (the page can send no request anywhere else), and
 * cross-origin isolation (COOP/COEP), which gives the training worker the kernels' shared memory (without it they run
 * on an unshared one: kernels/shared-memory.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../kg/package-root.js';

/** One file of the explorer: its bytes, its type, its entity tag and, when that is smaller, its gzip form. */
export interface Asset {
  body: Buffer;
  type: string;
  /** A strong validator of the bytes (the gzip form's is this one's with `-gz`): `If-None-Match` gets a 304. */
  etag: string;
  gzip?: Buffer;
}

/** An asset of `body`: tagged by its SHA-256, and gzipped once when that saves a tenth or more (the bundles, not PNGs). */
export function makeAsset(body: Buffer, type: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const gzip = type.startsWith('image/png') ? undefined : gzipSync(body, { level: 9 });
  return gzip !== undefined && gzip.length <= 0.9 * body.length ? { body, type, etag, gzip } : { body, type, etag };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.map': 'application/json; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** Headers of every explorer file (and of nothing else). */
export const ASSET_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Where the explorer's files are looked for by default: <package root>/dist/explorer. */
export function defaultAssetsDir(): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : path.join(root, 'dist', 'explorer');
}

/** The explorer's files by name (`index.html`, `app.js`, …, `kernels.wasm`), or the reason they are missing. */
export function loadAssets(dir = defaultAssetsDir()): { files: Map<string, Asset> } | { missing: string } {
  if (dir === undefined || !existsSync(path.join(dir, 'index.html'))) {
    return { missing: 'the explorer is not built in this installation: run `npm run build:explorer` (part of `npm run build`)' };
  }
  const files = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const type = TYPES[path.extname(name)];
    if (type && statSync(file).isFile()) files.set(name, makeAsset(readFileSync(file), type));
  }
  const root = packageRoot();
  const kernels = root === undefined ? undefined : path.join(root, 'build', 'kernels.wasm');
  if (kernels && existsSync(kernels)) files.set('kernels.wasm', makeAsset(readFileSync(kernels), TYPES['.wasm']!));
  return { files };
}

/** Whether an Accept-Encoding header takes gzip: listed with a q above 0, or, not listed, `*` with a q above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map(header.split(',').map((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    return [coding, q === undefined ? 1 : Number(q.slice(2))] as const;
  }));
  const q = weights.get('gzip') ?? weights.get('*') ?? 0;
  return q > 0;
}
