/**
 * Training in the page (headless Chromium): a dropped triple file trained in the Web Worker by the engine itself
 * gives the filtered test MRR that `kgdistill train` gives on the same split and seed; the trained model is then
 * explored in the page without a request to the server; a file that is not a triple file gets the CLI's message; the
 * 1-N box trains as `kgdistill train --one-to-n`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { initBackend } from '../../src/core/backend.js';
import { KgInputError } from '../../src/kg/errors.js';
import { splitTriples, type NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { readTripleFile } from '../../src/kg/triple-reader.js';
import { runTrain } from '../../src/pipeline/train.js';
import { modelNames } from '../../src/registry/models.js';
import { tempDir } from '../lookup/helpers.js';
import { buildExplorer, describeWithChromium, launchBrowser, openPage, serve, type RunningServer } from './fixture.js';

const tmp = tempDir('train-in-page');
/** The settings of the in-page run and of its CLI twin. */
const SETTINGS = { model: 'RotH', dim: 16, epochs: 30, lr: 0.1, optimizer: 'adagrad' as const, batchSize: 500, neg: 50, validEvery: 10, seed: 0 };

describeWithChromium('training in the page', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let requests: string[];
  let graphText: string;
  let cliMrr: number;
  /** The split the page makes of graphText, as files (the CLI twins train on it). */
  let splitDir: string;

  /** Sets the train form's fields. */
  async function fill(settings: Record<string, string | number>): Promise<void> {
    for (const [name, value] of Object.entries(settings)) {
      const id = `#train-${name === 'validEvery' ? 'valid-every' : name === 'batchSize' ? 'batch' : name}`;
      if (name === 'model' || name === 'optimizer') await page.selectOption(id, String(value));
      else await page.fill(id, String(value));
    }
  }

  /** Drops a file (through the file input) and trains; returns the shown error, or undefined when it trained. */
  async function train(name: string, content: string | Buffer): Promise<string | undefined> {
    await page.setInputFiles('#train-file', { name, mimeType: 'text/plain', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });
    await page.waitForSelector('#train-button:not([disabled])');
    await page.click('#train-button');
    await page.waitForSelector('#train-result:not([hidden]), #train-error:not([hidden])', { timeout: 60_000 });
    return (await page.isVisible('#train-error')) ? (await page.textContent('#train-error')) ?? '' : undefined;
  }

  beforeAll(async () => {
    await initBackend('wasm');
    // one file of about 2,000 triples; the CLI twin trains on the split the page makes of it (same seeded split)
    const graph = syntheticGraph({ entities: 400, seed: 4 });
    const all = [...graph.train, ...graph.valid, ...graph.test];
    graphText = `${all.map((t) => t.join('\t')).join('\n')}\n`;
    const split = splitTriples(all as unknown as NamedTriple[], { seed: SETTINGS.seed });
    const dir = (splitDir = path.join(tmp, 'split'));
    mkdirSync(dir);
    for (const name of ['train', 'valid', 'test'] as const) writeFileSync(path.join(dir, `${name}.txt`), `${split[name].map((t) => t.join('\t')).join('\n')}\n`);
    const cli = await runTrain({ dataset: dir, ...SETTINGS, backend: 'wasm', out: path.join(tmp, 'cli-run') });
    cliMrr = cli.json.mrr as number;
    server = await serve([], buildExplorer(path.join(tmp, 'assets')));
    browser = await launchBrowser();
    ({ page, requests } = await openPage(browser, `${server.url}/#train`));
    await page.waitForSelector('#train-model option[value="RotH"]', { state: 'attached' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains a dropped file in a Web Worker and reports the filtered test MRR of `kgdistill train` on the same split', async () => {
    expect(await page.locator('#train-model option').allTextContents()).toEqual(modelNames()); // every registered model, in its order
    await fill(SETTINGS);
    const started = performance.now();
    expect(await train('family.tsv', graphText)).toBeUndefined();
    const seconds = (performance.now() - started) / 1000;
    const mrr = Number(await page.getAttribute('#train-result .headline', 'data-mrr'));
    expect(mrr).toBeGreaterThan(0.5);
    expect(Math.abs(mrr - cliMrr)).toBeLessThan(1e-6); // the same engine, the same seeded split and trainer
    expect(await page.textContent('#train-result .headline')).toContain(`test MRR ${mrr.toFixed(4)}`);
    expect(await page.textContent('#train-result')).toContain('30 epochs');
    expect(Number(await page.getAttribute('#train-progress', 'value'))).toBe(1);
    await page.waitForSelector('#train-curves svg .mark-line path');
    expect(await page.locator('#train-curves svg .mark-symbol path').count()).toBe(3); // validations at 10, 20, 30
    console.log(`in-page training: RotH d=16, 30 epochs on ${graphText.trim().split('\n').length} triples in ${seconds.toFixed(1)} s, test MRR ${mrr.toFixed(4)} (CLI ${cliMrr.toFixed(4)})`);
    await page.screenshot({ path: path.join(tmp, 'explorer-train.png'), fullPage: true });
  });

  it('explores the trained model in the page, with no request to the server', async () => {
    const before = requests.length;
    await page.click('#explore-trained');
    await page.waitForSelector('#explore:not([hidden])');
    expect(await page.inputValue('#model-select')).toBe('page:1');
    await page.type('#entity-input', 'e1', { delay: 20 });
    await page.waitForSelector('#suggestions li[data-key="e1"]');
    await page.locator('#suggestions li[data-key="e1"]').click();
    await page.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr[data-id]').length === 10);
    await page.selectOption('#relation-select', 'child');
    await page.waitForFunction(() => document.querySelector('#predictions-note')?.textContent === '(e1, child, ?)');
    // e1's children in the generated tree are e4, e5, e6: exactly those answers are marked known
    const keys = await page.locator('#predictions tbody button.entity').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-key')));
    const marks = await page.locator('#predictions tbody td.known-mark').allTextContents();
    expect(marks.map((m) => m === '✓ known')).toEqual(keys.map((k) => ['e4', 'e5', 'e6'].includes(k!)));
    expect(marks[0]).toBe('✓ known');
    await page.waitForSelector('#disk svg[data-geometry="poincare-disk"] circle.point.query');
    const radii = await page.locator('#disk circle.point').evaluateAll((nodes) => nodes.map((n) => Math.hypot(Number(n.getAttribute('data-x')), Number(n.getAttribute('data-y')))));
    expect(radii.length).toBeGreaterThan(10);
    for (const r of radii) expect(r).toBeLessThan(1);
    // one answer checked in the worker: its score is the table's, its raw rank its row, its filtered rank without the known answers above it
    const checkedKey = keys.find((k) => ['e4', 'e5', 'e6'].includes(k!) && k !== keys[0])!;
    const row = keys.indexOf(checkedKey);
    const score = Number(await page.locator('#predictions tbody td.num').nth(row).getAttribute('data-value'));
    await page.fill('#check-input', checkedKey);
    await page.dispatchEvent('#check-input', 'change');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent?.startsWith('(e1, child, '));
    const knownAbove = marks.slice(0, row).filter((m) => m === '✓ known').length;
    expect(await page.textContent('#check-result')).toBe(`(e1, child, ${checkedKey}): score ${score.toFixed(4)}; the tail's rank among all entities for (e1, child, ?): ${row + 1 - knownAbove} filtered (the other known tails left out), ${row + 1} raw; a known triple (train, valid or test).`);
    expect(requests.slice(before)).toEqual([]);
  });

  it('gives a file that is not a triple file the CLI\'s file:line message, and bad settings the schema\'s', async () => {
    await page.click('#tab-train');
    for (const [name, content] of [
      ['broken.tsv', 'a\tr\tb\nc\td\n'],
      ['latin.tsv', Buffer.from([0x61, 0x09, 0x72, 0x09, 0x62, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x09, 0x72, 0x09, 0x62, 0x0a])],
      ['notes.csv', 'head,relation,tail\nx,r,y\n"unclosed,r,z\n'],
      ['empty.tsv', '# nothing but a comment\n'],
    ] as const) {
      const file = path.join(tmp, name);
      writeFileSync(file, content);
      const cli = await readTripleFile(file).then(() => undefined, (error: KgInputError) => `${name}${error.line === undefined ? '' : `:${error.line}`}: ${error.reason}`);
      const shown = await train(name, content);
      // the page has no flags: its Latin-1 advice is to save the file as UTF-8
      const page = cli?.replace('read it with --encoding latin1', 'save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)');
      expect(shown, name).toBe(page ?? `${name}: no triples in this file (one triple a line: head, relation, tail separated by tabs, commas or spaces)`);
    }
    await fill({ dim: 0 });
    expect(await train('family.tsv', graphText)).toBe("'Dimension' must be from 2 to 256, got 0"); // the field's own bounds
    await fill({ dim: 16, lr: '' });
    expect(await train('family.tsv', graphText)).toBe("'Learning rate' is empty: give it a number"); // was read as 0
    await fill({ lr: SETTINGS.lr, neg: 0 });
    expect(await train('family.tsv', graphText)).toBe("'Negatives' must be from 1 to 1000, got 0"); // was a raw tfjs gradient error for RotH
    await fill({ neg: SETTINGS.neg });
    // none of these files or settings replaced the model trained before: it is still offered
    expect(await page.locator('#model-select option[value^="page:"]:not([disabled])').count()).toBe(1);
    // a graph of three entities: its entities have two neighbours each, and the page asks for two (not its default 10)
    await fill({ epochs: 2, validEvery: 1 });
    expect(await train('tiny3.tsv', 'a\tr\tb\nb\tr\tc\nc\tr\ta\n')).toBeUndefined();
    await page.click('#explore-trained');
    await page.fill('#entity-input', 'a');
    await page.press('#entity-input', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr[data-id]').length === 2);
    expect(await page.inputValue('#k-input')).toBe('2');
    // the next model, of 400 entities, is asked for the k asked before (10), not the small model's limit
    await page.click('#tab-train');
    expect(await train('family.tsv', graphText)).toBeUndefined();
    await page.click('#explore-trained');
    await page.fill('#entity-input', 'e1');
    await page.press('#entity-input', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr[data-id]').length === 10);
    expect(await page.inputValue('#k-input')).toBe('10');
    await page.click('#tab-train');
    await fill({ epochs: SETTINGS.epochs, validEvery: SETTINGS.validEvery });
  });

  it('takes three files named train, valid and test as they are, and stops a training on request', async () => {
    const graph = syntheticGraph({ entities: 120, seed: 6 });
    const files = (['train', 'valid', 'test'] as const).map((split) => ({ name: `tiny-${split}.tsv`, mimeType: 'text/plain', buffer: Buffer.from(`${graph[split].map((t) => t.join('\t')).join('\n')}\n`) }));
    await fill({ epochs: 5, validEvery: 5 });
    await page.setInputFiles('#train-file', files);
    await page.click('#train-button');
    await page.waitForSelector('#train-result:not([hidden]), #train-error:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#train-result')).toContain(`${graph.train.length} train, ${graph.valid.length} valid and ${graph.test.length} test triples`);
    // what reading the three files did, as the CLI's load report says it
    expect(await page.locator('#train-data li').allTextContents()).toEqual([
      `train: ${graph.train.length} triples read from tiny-train.tsv, 0 duplicates`, `valid: ${graph.valid.length} triples read from tiny-valid.tsv, 0 duplicates`,
      `test: ${graph.test.length} triples read from tiny-test.tsv, 0 duplicates`, expect.stringMatching(/^overlap: 0 valid and 0 test triples also in train/),
    ]);

    await fill({ epochs: 1000, validEvery: 1000 });
    await page.setInputFiles('#train-file', { name: 'family.tsv', mimeType: 'text/plain', buffer: Buffer.from(graphText) });
    await page.click('#train-button');
    await page.waitForFunction(() => /epoch [2-9]/.test(document.querySelector('#train-status')?.textContent ?? ''));
    // a file chosen during the training does not start a second one: Train stays disabled until this one ends
    await page.setInputFiles('#train-file', files[0]!);
    await page.waitForFunction(() => /^tiny-train\.tsv \(/.test(document.querySelector('#train-files')?.textContent ?? ''));
    expect(await page.isDisabled('#train-button')).toBe(true);
    await page.click('#train-cancel');
    await page.waitForSelector('#train-error:not([hidden])');
    expect(await page.textContent('#train-error')).toBe('training stopped: in-page training keeps no checkpoint, so nothing of this run is kept');
    // the models trained before in this page are gone (the worker trained again, then stopped): said, not offered
    const pageModels = page.locator('#model-select option[value^="page:"]');
    expect(await pageModels.count()).toBeGreaterThan(0);
    expect(await pageModels.evaluateAll((options) => options.every((o) => (o as HTMLOptionElement).disabled && o.textContent!.endsWith('(gone: trained again or stopped)')))).toBe(true);
    expect(await page.isEnabled('#train-button')).toBe(true);
    expect(await page.isHidden('#train-cancel')).toBe(true);
  });

  it('trains 1-N when its box is checked (Negatives unused), as `kgdistill train --one-to-n` does', async () => {
    const { neg: _unused, ...settings } = { ...SETTINGS, epochs: 6, validEvery: 3 };
    const cli = await runTrain({ dataset: splitDir, ...settings, oneToN: true, backend: 'wasm', out: path.join(tmp, 'cli-one-to-n') });
    await fill({ epochs: settings.epochs, validEvery: settings.validEvery });
    await page.check('#train-one-to-n');
    expect(await page.isDisabled('#train-neg')).toBe(true);
    expect(await train('family.tsv', graphText)).toBeUndefined(); // RotH: the 1-N step on tfjs' tape, in the worker
    const mrr = Number(await page.getAttribute('#train-result .headline', 'data-mrr'));
    expect(mrr).toBeGreaterThan(0.3);
    expect(Math.abs(mrr - (cli.json.mrr as number))).toBeLessThan(1e-6);
    console.log(`in-page 1-N training: RotH d=16, ${settings.epochs} epochs, test MRR ${mrr.toFixed(4)} (CLI ${(cli.json.mrr as number).toFixed(4)})`);
    await page.uncheck('#train-one-to-n');
    expect(await page.isEnabled('#train-neg')).toBe(true);
  });

  afterAll(() => {
    if (process.env.KGDISTILL_SCREENSHOTS) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(path.join(tmp, 'explorer-train.png'), path.join('docs', 'explorer-train.png'));
    }
  });
});
