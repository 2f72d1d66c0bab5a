/**
 * What the explorer's browser tests share: a small named graph with two trained teachers and a MulDE student
 * (trained by the pipeline, as `kgdistill train` and `distill` would, with test metrics), the explorer bundle built
 * into a temporary directory, a service on an ephemeral loopback port, and headless Chromium (Debian's package,
 * driven by playwright-core; never downloaded).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runDistill, runTrain } from '../../src/pipeline/train.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { buildServer, ServedModels, type ServerOptions } from '../../src/serve/server.js';

/** Entities of the test graph (small: the whole fixture trains in a few seconds). */
export const ENTITIES = 240;

/** Where Chromium is on this machine (CHROMIUM_PATH, else Debian's /usr/bin/chromium), or undefined. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

/** A describe block that needs Chromium: skipped with one line naming the install command when it is missing. */
export function describeWithChromium(title: string, body: () => void): void {
  if (chromiumPath()) {
    describe(title, body);
    return;
  }
  console.warn(`Chromium is not on this machine: skipped "${title}"; \`apt-get install chromium\` installs it (.ci/run does)`);
  describe.skip(`${title} (needs chromium)`, body);
}

/** Headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath()!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Builds the explorer bundle into `dir` (the test serves this build, not dist/). */
export function buildExplorer(dir: string): string {
  execFileSync(process.execPath, ['scripts/build-explorer.mjs', '--out', dir], { stdio: 'pipe' });
  return dir;
}

/** The graph with readable names (node i; a few with special characters) in `dir`. */
export async function namedGraph(dir: string): Promise<string> {
  await writeSyntheticDataset(dir, { entities: ENTITIES, seed: 5 });
  const names: Record<number, string> = { 3: 'Zürich', 4: 'naïve café', 230: 'naïve café' }; // a name of two entities
  const lines = Array.from({ length: ENTITIES }, (_, i) => `e${i}\t${names[i] ?? `node ${i}`}`);
  writeFileSync(path.join(dir, 'entity_names.tsv'), `${lines.join('\n')}\n`);
  return dir;
}

/** Two teachers (RotH, DistMult) and a MulDE student distilled from them, in `root`. */
export async function trainRuns(root: string): Promise<{ graph: string; roth: string; distmult: string; student: string }> {
  const graph = await namedGraph(path.join(root, 'graph'));
  const roth = path.join(root, 'roth'), distmult = path.join(root, 'distmult'), student = path.join(root, 'student');
  const common = { dataset: graph, epochs: 30, validEvery: 10, seed: 0, backend: 'wasm' as const };
  // measured (seed 0): RotH test MRR 0.66, DistMult 0.44, the MulDE student 0.58 (a RotH d=8 twin alone: 0.51)
  await runTrain({ ...common, model: 'RotH', dim: 16, lr: 0.1, out: roth });
  await runTrain({ ...common, model: 'DistMult', dim: 16, lr: 0.5, out: distmult });
  await runDistill({ ...common, teachers: [roth, distmult], student: 'RotH', dim: 8, lr: 0.1, topK: 32, refreshEvery: 5, kdWeight: 0.05, out: student });
  return { graph, roth, distmult, student };
}

/** A running service and what the tests need of it. */
export interface RunningServer {
  app: FastifyInstance;
  url: string;
  models: ServedModels;
  lookups: CheckpointLookup[];
  close(): Promise<void>;
}

/** Opens runs (their directory base names are their names) and serves them with the explorer from `assetsDir`. */
export async function serve(dirs: readonly string[], assetsDir: string, options: ServerOptions = {}, addNow = true): Promise<RunningServer> {
  const models = new ServedModels(dirs.map((d) => path.basename(d)));
  const app = buildServer(models, { ...options, explorer: { assetsDir } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const lookups: CheckpointLookup[] = [];
  if (addNow) for (const dir of dirs) lookups.push(await addModel(models, dir));
  return { app, url, models, lookups, close: async () => { await app.close(); lookups.forEach((l) => l.close()); } };
}

/** Opens a run, builds its index and makes it available (what `kgdistill serve` does per checkpoint). */
export async function addModel(models: ServedModels, dir: string): Promise<CheckpointLookup> {
  const lookup = await CheckpointLookup.open(dir, { indexMode: 'background' });
  await lookup.warm({ table: true });
  models.add(lookup);
  return lookup;
}

/** A new page that records every request it sends (to check it talks to its own server only) and its errors. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, requests, errors };
}
