/**
 * `kgdistill/browser` in a page that is NOT cross-origin isolated (headless Chromium; no COOP/COEP headers, so no
 * SharedArrayBuffer, as on GitHub Pages): the same bundle and files served with and without the headers train to the
 * same losses and test MRR — the Node library's on the same triples, seed and kernels (portable, one thread) — and
 * their models give the same answers: the kernels run on an unshared memory there (src/kernels/shared-memory.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { runTrain } from '../../src/pipeline/train.js';
import { tempDir } from '../lookup/helpers.js';
import { describeWithChromium, launchBrowser } from '../explorer/fixture.js';
import { buildSite, serveSite, writeSplits, type Splits } from './site-fixture.js';

// the Node twin runs the kernels the page runs (the portable build) on one thread, as a page does
process.env.KGDISTILL_KERNELS = 'portable';
process.env.KGDISTILL_THREADS = '1';

const tmp = tempDir('browser-not-isolated');
const COMMON = { dim: 16, epochs: 12, batchSize: 64, neg: 8, lr: 0.05, validEvery: 4, seed: 0 };
/** A Euclidean model (dense scores, exact neighbours) and a hyperbolic one (tail biases, Poincaré top-K). */
const RUNS = [{ model: 'DistMult', ...COMMON }, { model: 'RotH', ...COMMON }];

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
  let splits: Splits;
  let site: string;
  const nodeMrr: number[] = [];

  beforeAll(async () => {
    site = path.join(tmp, 'site');
    expect(await buildSite(site)).toEqual([]); // esbuild's errors
    const dir = path.join(tmp, 'split');
    splits = writeSplits(dir);
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
    const { server, url } = await serveSite(site, { isolated });
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
