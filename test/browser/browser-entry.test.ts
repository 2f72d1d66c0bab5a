/**
 * `kgdistill/browser` in a page (headless Chromium): src/browser.ts bundles with plain esbuild (platform browser, no
 * plugin, stub, alias or define), and the bundle, served as the package lays it out (dist/src/browser.js beside
 * build/kernels.wasm, which it finds by itself) with COOP/COEP, trains in memory and gives the filtered test MRR of
 * the Node library on the same triples, seed and kernels (portable, one thread); the trained model answers queries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runTrain } from '../../src/pipeline/train.js';
import { modelNames } from '../../src/registry/models.js';
import { tempDir } from '../lookup/helpers.js';
import { describeWithChromium, launchBrowser } from '../explorer/fixture.js';
import { buildSite, serveSite, writeSplits, type Splits } from './site-fixture.js';

// the Node twin runs the kernels the page runs (the portable build) on one thread, as a page does
process.env.KGDISTILL_KERNELS = 'portable';
process.env.KGDISTILL_THREADS = '1';

const tmp = tempDir('browser-entry');
const SETTINGS = { model: 'DistMult', dim: 16, epochs: 20, batchSize: 64, neg: 8, lr: 0.05, validEvery: 5, seed: 0 };

describeWithChromium('kgdistill/browser in a page', () => {
  let browser: Browser;
  let page: Page;
  let server: Server;
  let splits: Splits;
  let nodeMrr: number;
  let bundleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const site = path.join(tmp, 'site');
    bundleErrors = await buildSite(site);
    if (bundleErrors.length) return;

    // the triples, split as `kgdistill data split` splits them; the Node library trains on them as files
    const dir = path.join(tmp, 'split');
    splits = writeSplits(dir);
    const node = await runTrain({ dataset: dir, ...SETTINGS, backend: 'wasm', out: path.join(tmp, 'node-run') });
    expect(node.json.kernels).toBe('portable');
    nodeMrr = node.json.mrr as number;

    let url: string;
    ({ server, url } = await serveSite(site, { isolated: true }));
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
