/**
 * What the tests of `kgdistill/browser` in a page share: the site (src/browser.ts bundled with plain esbuild, laid out
 * as the package lays it out: dist/src/browser.js beside build/kernels.wasm, with tfjs's wasm files and a page that
 * imports the bundle), a static server of it with or without the cross-origin isolation headers (COOP/COEP), and the
 * triples the page and the Node library both train on, split as `kgdistill data split` splits them.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { splitTriples, type NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** The train, valid and test triples of a split. */
export interface Splits {
  train: NamedTriple[];
  valid: NamedTriple[];
  test: NamedTriple[];
}

/**
 * Builds the site into `site`: the entry bundled as a bundler meets it (no plugin, stub, alias or define), then the
 * kernels, tfjs's wasm files and the page. Gives esbuild's errors (none when it bundled; the rest is laid out only then).
 */
export async function buildSite(site: string): Promise<string[]> {
  try {
    await build({ entryPoints: [path.join(root, 'src', 'browser.ts')], bundle: true, platform: 'browser', format: 'esm', outfile: path.join(site, 'dist', 'src', 'browser.js'), logLevel: 'silent' });
  } catch (error) {
    return ((error as { errors?: { text: string }[] }).errors ?? [{ text: String(error) }]).map((e) => e.text);
  }
  mkdirSync(path.join(site, 'build'));
  copyFileSync(path.join(root, 'build', 'kernels.wasm'), path.join(site, 'build', 'kernels.wasm'));
  const tfjsWasm = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  mkdirSync(path.join(site, 'tfjs'));
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(path.join(tfjsWasm, file), path.join(site, 'tfjs', file));
  // the page imports the package's entry as a web developer's would (here by its URL: no bundler of its own)
  writeFileSync(path.join(site, 'index.html'), "<!doctype html><title>kgdistill/browser</title>\n<script type=\"module\">import * as kg from '/dist/src/browser.js'; window.kg = kg;</script>\n");
  return [];
}

/**
 * A static server of `dir` on an ephemeral loopback port; `isolated` adds the headers that make a page cross-origin
 * isolated (COOP same-origin, COEP require-corp: the kernels' shared memory), without them a page is not.
 */
export async function serveSite(dir: string, { isolated }: { isolated: boolean }): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const file = path.join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    let body: Buffer;
    try {
      body = readFileSync(file.endsWith('/') ? path.join(file, 'index.html') : file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    response.writeHead(200, { 'content-type': TYPES[path.extname(file) || '.html'] ?? 'application/octet-stream', ...isolation }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** The synthetic graph (80 entities, 4 groups) split with seed 0, written to `dir` as train/valid/test.txt (TSV). */
export function writeSplits(dir: string): Splits {
  const graph = syntheticGraph({ entities: 80, groups: 4 });
  const split = splitTriples([...graph.train, ...graph.valid, ...graph.test] as unknown as NamedTriple[], { seed: 0 });
  const splits: Splits = { train: split.train, valid: split.valid, test: split.test };
  mkdirSync(dir);
  for (const name of ['train', 'valid', 'test'] as const) writeFileSync(path.join(dir, `${name}.txt`), `${splits[name].map((t) => t.join('\t')).join('\n')}\n`);
  return splits;
}
