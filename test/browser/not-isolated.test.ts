/**
 * `kgdistill/browser` in a page that is NOT cross-origin isolated (headless Chromium; no COOP/COEP headers, so no
 * SharedArrayBuffer, as on GitHub Pages): the same bundle and files served with and without the headers train to the
 * same losses and test MRR — the Node library's on the same triples, seed and kernels (portable, one thread) — and
 * their models give the same answers: the kernels run on an unshared memory there (src/kernels/shared-memory.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { splitTriples, type NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { tempDir } from '../lookup/helpers.js';
import { describeWithChromium, launchBrowser } from '../explorer/fixture.js';

// the Node twin runs the kernels the page runs (the portable build) on one thread, as a page does
process.env.KGDISTILL_KERNELS = 'portable';
process.env.KGDISTILL_THREADS = '1';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = tempDir('browser-not-isolated');
const COMMON = { dim: 16, epochs: 12, batchSize: 64, neg: 8, lr: 0.05, validEvery: 4, seed: 0 };
/** A Euclidean model (dense scores, exact neighbours) and a hyperbolic one (tail biases, Poincaré top-K). */
const RUNS = [{ model: 'DistMult', ...COMMON }, { model: 'RotH', ...COMMON }];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** A static server of `dir`, with the headers that make a page cross-origin isolated or without them. */
async function serve(dir: string, isolated: boolean): Promise<{ server: Server; url: string }> {
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

/** What a page reports: whether it is isolated, and per run the losses, test MRR and the model's answers. */
interface PageOutcome {
  isolated: boolean;
  sharedArrayBuffer: string;
  errors: string[];
  runs: { mrr?: number; losses: number[]; predicted: [string, number][]; neighbours: [string, number | undefined][] }[];
}

describeWithChromium('kgdistill/browser in a page that is not cross-origin isolated', () => {
  let browser: Browser;
  const servers: Server[] = [];
  let splits: { train: NamedTriple[]; valid: NamedTriple[]; test: NamedTriple[] };
  let site: string;
  const nodeMrr: number[] = [];

  beforeAll(async () => {
    site = path.join(tmp, 'site');
    await build({ entryPoints: [path.join(root, 'src', 'browser.ts')], bundle: true, platform: 'browser', format: 'esm', outfile: path.join(site, 'dist', 'src', 'browser.js'), logLevel: 'silent' });
    mkdirSync(path.join(site, 'build'));
    copyFileSync(path.join(root, 'build', 'kernels.wasm'), path.join(site, 'build', 'kernels.wasm'));
    const tfjsWasm = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    mkdirSync(path.join(site, 'tfjs'));
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(path.join(tfjsWasm, file), path.join(site, 'tfjs', file));
    writeFileSync(path.join(site, 'index.html'), "<!doctype html><title>kgdistill/browser</title>\n<script type=\"module\">import * as kg from '/dist/src/browser.js'; window.kg = kg;</script>\n");

    const graph = syntheticGraph({ entities: 80, groups: 4 });
    const split = splitTriples([...graph.train, ...graph.valid, ...graph.test] as unknown as NamedTriple[], { seed: 0 });
    splits = { train: split.train, valid: split.valid, test: split.test };
    const dir = path.join(tmp, 'split');
    mkdirSync(dir);
    for (const name of ['train', 'valid', 'test'] as const) writeFileSync(path.join(dir, `${name}.txt`), `${splits[name].map((t) => t.join('\t')).join('\n')}\n`);
    for (const run of RUNS) {
      const node = await runTrain({ dataset: dir, ...run, backend: 'wasm', out: path.join(tmp, `node-${run.model}`) });
      expect(node.json.kernels).toBe('portable');
      nodeMrr.push(node.json.mrr as number);
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  /** Trains RUNS in a fresh page of the site served with or without the isolation headers. */
  async function inPage(isolated: boolean): Promise<PageOutcome> {
    const { server, url } = await serve(site, isolated);
    servers.push(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    await page.waitForFunction(() => 'kg' in window);
    const outcome = await page.evaluate(async ({ splits, runs }) => {
      const kg = (window as unknown as { kg: typeof import('../../src/browser.js') }).kg;
      const sharedArrayBuffer = typeof SharedArrayBuffer;
      await kg.initEngine({ tfjsWasm: '/tfjs/' });
      const results = [];
      for (const settings of runs) {
        const trained = await kg.train(kg.datasetFromTriples(splits), settings);
        const [head, relation] = splits.train[0]!;
        const predicted = await trained.model.predict({ head, relation }, 5);
        const neighbours = await trained.model.neighbors(head, 3);
        trained.model.close();
        results.push({ mrr: trained.test?.mrr, losses: trained.curves.map((c) => c.loss), predicted: predicted.answers.map((a) => [a.key, a.score] as [string, number]),
          neighbours: neighbours.neighbors.map((n) => [n.key, n.distance ?? n.similarity] as [string, number | undefined]) });
      }
      return { isolated: self.crossOriginIsolated, sharedArrayBuffer, runs: results };
    }, { splits, runs: RUNS }).catch((error: Error) => ({ isolated, sharedArrayBuffer: '?', runs: [], failed: error.message }));
    await page.close();
    return { ...outcome, errors: 'failed' in outcome ? [outcome.failed, ...errors] : errors };
  }

  it("trains without COOP/COEP to the losses, test MRR and answers of an isolated page, the Node library's MRR", async () => {
    const open = await inPage(false);
    const isolated = await inPage(true);
    expect(open.errors).toEqual([]);
    expect(isolated.errors).toEqual([]);
    expect([open.isolated, open.sharedArrayBuffer]).toEqual([false, 'undefined']); // no shared memory can be made here
    expect([isolated.isolated, isolated.sharedArrayBuffer]).toEqual([true, 'function']);
    expect(open.runs.map((r) => r.mrr)).toEqual(nodeMrr);
    for (const mrr of nodeMrr) expect(mrr).toBeGreaterThan(0.2); // learned something (80 entities: chance ~0.06)
    expect(open.runs).toEqual(isolated.runs); // to the last bit: losses, MRR, predictions and neighbours
    for (const run of open.runs) {
      expect(run.losses).toHaveLength(COMMON.epochs);
      expect(run.predicted).toHaveLength(5);
      expect(run.neighbours).toHaveLength(3);
    }
  });
});
