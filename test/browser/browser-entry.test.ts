/**
 * `kgdistill/browser` in a page (headless Chromium): src/browser.ts bundles with plain esbuild (platform browser, no
 * plugin, stub, alias or define), and the bundle, served as the package lays it out (dist/src/browser.js beside
 * build/kernels.wasm, which it finds by itself) with COOP/COEP, trains in memory and gives the filtered test MRR of
 * the Node library on the same triples, seed and kernels (portable, one thread); the trained model answers queries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { splitTriples, type NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { modelNames } from '../../src/registry/models.js';
import { tempDir } from '../lookup/helpers.js';
import { describeWithChromium, launchBrowser } from '../explorer/fixture.js';

// the Node twin runs the kernels the page runs (the portable build) on one thread, as a page does
process.env.KGDISTILL_KERNELS = 'portable';
process.env.KGDISTILL_THREADS = '1';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = tempDir('browser-entry');
const SETTINGS = { model: 'DistMult', dim: 16, epochs: 20, batchSize: 64, neg: 8, lr: 0.05, validEvery: 5, seed: 0 };
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** A static server of `dir` with the headers that make a page cross-origin isolated (the kernels' shared memory). */
async function serveIsolated(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const file = path.join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    let body: Buffer;
    try {
      body = readFileSync(file.endsWith('/') ? path.join(file, 'index.html') : file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file) || '.html'] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describeWithChromium('kgdistill/browser in a page', () => {
  let browser: Browser;
  let page: Page;
  let server: Server;
  let splits: { train: NamedTriple[]; valid: NamedTriple[]; test: NamedTriple[] };
  let nodeMrr: number;
  let bundleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const site = path.join(tmp, 'site');
    // the entry as a bundler meets it: no plugin, stub, alias or define
    try {
      await build({ entryPoints: [path.join(root, 'src', 'browser.ts')], bundle: true, platform: 'browser', format: 'esm', outfile: path.join(site, 'dist', 'src', 'browser.js'), logLevel: 'silent' });
    } catch (error) {
      bundleErrors = ((error as { errors?: { text: string }[] }).errors ?? [{ text: String(error) }]).map((e) => e.text);
      return;
    }
    mkdirSync(path.join(site, 'build'));
    copyFileSync(path.join(root, 'build', 'kernels.wasm'), path.join(site, 'build', 'kernels.wasm'));
    const tfjsWasm = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    mkdirSync(path.join(site, 'tfjs'));
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(path.join(tfjsWasm, file), path.join(site, 'tfjs', file));
    // the page imports the package's entry as a web developer's would (here by its URL: no bundler of its own)
    writeFileSync(path.join(site, 'index.html'), "<!doctype html><title>kgdistill/browser</title>\n<script type=\"module\">import * as kg from '/dist/src/browser.js'; window.kg = kg;</script>\n");

    // the triples, split as `kgdistill data split` splits them; the Node library trains on them as files
    const graph = syntheticGraph({ entities: 80, groups: 4 });
    const split = splitTriples([...graph.train, ...graph.valid, ...graph.test] as unknown as NamedTriple[], { seed: 0 });
    splits = { train: split.train, valid: split.valid, test: split.test };
    const dir = path.join(tmp, 'split');
    mkdirSync(dir);
    for (const name of ['train', 'valid', 'test'] as const) writeFileSync(path.join(dir, `${name}.txt`), `${splits[name].map((t) => t.join('\t')).join('\n')}\n`);
    const node = await runTrain({ dataset: dir, ...SETTINGS, backend: 'wasm', out: path.join(tmp, 'node-run') });
    expect(node.json.kernels).toBe('portable');
    nodeMrr = node.json.mrr as number;

    let url: string;
    ({ server, url } = await serveIsolated(site));
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${url}/`);
    await page.waitForFunction(() => 'kg' in window);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('bundles with plain esbuild for a browser, with no error', () => {
    expect(bundleErrors).toEqual([]);
  });

  it("trains in memory and gives the Node library's test MRR on the same triples, seed and kernels; the model answers queries", async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    const result = await page.evaluate(async ({ splits, settings }) => {
      const kg = (window as unknown as { kg: typeof import('../../src/browser.js') }).kg;
      const engine = await kg.initEngine({ tfjsWasm: '/tfjs/' }); // the kernels: found beside the bundle (../../build/kernels.wasm)
      const epochs: number[] = [];
      const trained = await kg.train(kg.datasetFromTriples(splits), { ...settings, onEpoch: (point) => epochs.push(point.epoch) });
      const tsv = (triples: readonly (readonly string[])[]): Uint8Array => new TextEncoder().encode(`${triples.map((t) => t.join('\t')).join('\n')}\n`);
      const fromFiles = await kg.train(kg.datasetFromBytes([{ name: 'train.txt', bytes: tsv(splits.train) }, { name: 'valid.txt', bytes: tsv(splits.valid) }, { name: 'test.txt', bytes: tsv(splits.test) }]), settings);
      const [head, relation, tail] = splits.train[0]!;
      const predicted = await trained.model.predict({ head, relation }, 5);
      const neighbours = await trained.model.neighbors(head, 3);
      const scored = await trained.model.score(head, relation, tail);
      const info = trained.model.info();
      trained.model.close();
      let afterClose = '';
      try {
        await trained.model.neighbors(head, 3);
      } catch (error) {
        afterClose = (error as Error).message;
      }
      return {
        backend: engine.backend, mrr: trained.test?.mrr, filesMrr: fromFiles.test?.mrr, epochs, models: kg.modelNames(), info: { model: info.model, dim: info.dim },
        predicted: predicted.answers.map((a) => a.key), neighbours: neighbours.neighbors.length, known: scored.known, afterClose,
      };
    }, { splits, settings: SETTINGS });
    expect(pageErrors).toEqual([]);
    expect(result.backend).toBe('wasm');
    expect(nodeMrr).toBeGreaterThan(0.2); // a real value, not chance (80 entities: ~0.06)
    expect(result.mrr).toBe(nodeMrr);
    expect(result.filesMrr).toBe(nodeMrr);
    expect(result.epochs).toEqual(Array.from({ length: SETTINGS.epochs }, (_, i) => i + 1));
    expect(result.models).toEqual(modelNames());
    expect(result.info).toEqual({ model: 'DistMult', dim: 16 });
    expect(result.predicted).toHaveLength(5);
    expect(result.neighbours).toBe(3);
    expect(result.known).toBe(true);
    expect(result.afterClose).toMatch(/closed/);
  });
});
