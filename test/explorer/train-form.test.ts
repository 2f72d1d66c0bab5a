/**
 * The train form's choices as the engine allows them: the 1-N box and the Norm field are disabled (their tooltip
 * saying why, in the engine's words) for a model and norm the training would refuse, and enabled again for one it
 * takes; the page's refusals name the form's fields by their labels, while kgdistill/browser's API keeps the keys.
 * The engine's checks in Node, the form in headless Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { datasetFromTriples } from '../../src/browser.js';
import { isDifferenceSimilarity } from '../../src/core/similarity-tf.js';
import type { NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { parseOptions, trainOptionsSchema } from '../../src/pipeline/option-schemas.js';
import { COUNTS_BEFORE_LOADING, createRunModel } from '../../src/pipeline/run-model.js';
import { modelNames } from '../../src/registry/models.js';
import { formNaming, inPageSettings, trainChoices } from '../../src/serve/explorer/worker/in-page-training.js';
import { tempDir } from '../lookup/helpers.js';
import { buildExplorer, describeWithChromium, launchBrowser, openPage, serve, type RunningServer } from './fixture.js';

const tmp = tempDir('train-form');
const graph = syntheticGraph({ entities: 60, groups: 3 });
const triples = [...graph.train, ...graph.valid, ...graph.test] as unknown as NamedTriple[];
/** The form's labels of the options these refusals name (the page reads them from its markup). */
const LABELS = { model: 'Model', norm: 'Norm', neg: 'Negatives', oneToN: '1-N: all entities', batchSize: 'Batch', dim: 'Dimension' };
/** The 1-N refusal of an L1 model, as the form names its options and as the API does. */
const formRefusal = (model: string): string => `'1-N: all entities' scores every entity through a matrix product, which the L1 distance of ${model} has not: train it with sampled negatives ('Negatives'), or with 'Norm' 2`;
const apiRefusal = (model: string): string => `oneToN scores every entity through a matrix product, which the L1 distance of ${model} has not: train it with sampled negatives (neg), or with norm 2`;
/** The markup's tooltip of the 1-N box, shown while it is allowed. */
const BOX_TITLE = 'score every query against all entities (softmax cross-entropy) instead of sampling negatives';

describe("the train form's choices and names (the engine's checks)", () => {
  it('allows 1-N for a model and norm exactly where the model scores without an L1 distance, the rule train refuses by', () => {
    const choices = trainChoices();
    expect(choices.map((c) => c.model)).toEqual(modelNames());
    for (const { model, norm, oneToN } of choices) {
      for (const [choice, refusal] of Object.entries(oneToN)) {
        const settings = parseOptions(trainOptionsSchema, { dataset: 'page', model, ...(choice === '' ? {} : { norm: Number(choice) }) }, 'key');
        const l1 = isDifferenceSimilarity(createRunModel(model, settings, COUNTS_BEFORE_LOADING).similarity);
        expect(refusal, `${model} norm '${choice}'`).toBe(l1 ? apiRefusal(model) : null);
      }
      expect(Object.keys(oneToN).sort(), model).toEqual(norm === null ? ['', '1', '2'] : ['']);
    }
    const byModel = new Map(choices.map((c) => [c.model, c]));
    expect(byModel.get('TransE')).toEqual({ model: 'TransE', norm: null, oneToN: { '': apiRefusal('TransE'), 1: apiRefusal('TransE'), 2: null } });
    expect(byModel.get('RotatE')).toEqual({ model: 'RotatE', norm: null, oneToN: { '': null, 1: apiRefusal('RotatE'), 2: null } });
    expect(byModel.get('DistMult')).toEqual({ model: 'DistMult', norm: 'norm applies to TransE and RotatE only (the model is DistMult)', oneToN: { '': null } });
  });

  it("names options by the form's labels for the form, by key for kgdistill/browser's API", () => {
    const d = datasetFromTriples(triples);
    const name = formNaming(LABELS);
    expect(() => inPageSettings(d, { model: 'TransE', oneToN: true }, name)).toThrow(formRefusal('TransE'));
    expect(() => inPageSettings(d, { model: 'TransE', oneToN: true })).toThrow(apiRefusal('TransE'));
    expect(() => inPageSettings(d, { model: 'DistMult', norm: 2 }, name)).toThrow("'Norm' applies to TransE and RotatE only (the model is DistMult)");
    expect(() => inPageSettings(d, { model: 'DistMult', norm: 2 })).toThrow('norm applies to TransE and RotatE only (the model is DistMult)');
    // an option the form has no field for keeps its key
    expect(() => inPageSettings(d, { oneToN: true, loss: 'margin' }, name)).toThrow("loss margin ranks each gold answer against sampled negatives: with '1-N: all entities' (every entity scored) choose loss auto (softmax) or bce");
    expect(trainChoices(name).find((c) => c.model === 'TransE')?.oneToN['']).toBe(formRefusal('TransE'));
    // the schema's own refusals too (a fraction where a whole number goes), by label for the form, by key for the API
    expect(() => inPageSettings(d, { dim: 8.5 }, name)).toThrow(/^'Dimension' must be a positive integer \(got 8\.5\)$/);
    expect(() => inPageSettings(d, { neg: 2.5 }, name)).toThrow(/^'Negatives' /);
    expect(() => inPageSettings(d, { dim: 8.5 })).toThrow(/^dim must be a positive integer \(got 8\.5\)$/);
  });
});

describeWithChromium('the train form in the page', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  /** The 1-N box's state: enabled, checked, its label's tooltip, and whether Negatives is enabled. */
  async function box(): Promise<{ enabled: boolean; checked: boolean; title: string; negatives: boolean }> {
    return page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('#train-one-to-n')!;
      return { enabled: !input.disabled, checked: input.checked, title: input.closest('label')!.title, negatives: !document.querySelector<HTMLInputElement>('#train-neg')!.disabled };
    });
  }

  beforeAll(async () => {
    server = await serve([], buildExplorer(path.join(tmp, 'assets')));
    browser = await launchBrowser();
    ({ page } = await openPage(browser, `${server.url}/#train`));
    await page.waitForSelector('#train-model option[value="RotH"]', { state: 'attached' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('disables the 1-N box, saying why, for a model and norm that cannot train 1-N, and enables it again for one that can', async () => {
    expect(await page.inputValue('#train-model')).toBe('RotH');
    expect(await box()).toEqual({ enabled: true, checked: false, title: BOX_TITLE, negatives: true });
    await page.check('#train-one-to-n');
    expect(await box()).toMatchObject({ checked: true, negatives: false });
    // TransE scores by its L1 distance by default: no 1-N, the box unchecked and Negatives back
    await page.selectOption('#train-model', 'TransE');
    expect(await box()).toEqual({ enabled: false, checked: false, title: formRefusal('TransE'), negatives: true });
    // TransE takes a norm; RotH does not: Norm disabled, the refusal's words as its tooltip
    expect(await page.isEnabled('#train-norm')).toBe(true);
    await page.selectOption('#train-model', 'RotH');
    expect(await page.isDisabled('#train-norm')).toBe(true);
    expect(await page.getAttribute('label:has(#train-norm)', 'title')).toBe("'Norm' applies to TransE and RotatE only (the model is RotH)");
    expect(await box()).toMatchObject({ enabled: true, title: BOX_TITLE });
    await page.selectOption('#train-model', 'TransE');
    await page.selectOption('#train-norm', '2');
    expect(await box()).toEqual({ enabled: true, checked: false, title: BOX_TITLE, negatives: true });
    await page.selectOption('#train-norm', '1');
    expect(await box()).toMatchObject({ enabled: false, title: formRefusal('TransE') });
    // RotatE: L2 by default (1-N), the sum of moduli with Norm 1 (none)
    await page.selectOption('#train-model', 'RotatE');
    expect(await box()).toMatchObject({ enabled: false, title: formRefusal('RotatE') });
    await page.selectOption('#train-norm', '');
    expect(await box()).toMatchObject({ enabled: true, title: BOX_TITLE });
    // another model takes no norm: Norm goes back to the model's own, and 1-N is allowed
    await page.selectOption('#train-model', 'TransE');
    await page.selectOption('#train-norm', '2');
    await page.selectOption('#train-model', 'DistMult');
    expect(await page.inputValue('#train-norm')).toBe('');
    expect(await page.isDisabled('#train-norm')).toBe(true);
    expect(await box()).toMatchObject({ enabled: true, title: BOX_TITLE });
  });

  it("shows a refusal of the settings in the form's labels", async () => {
    await page.selectOption('#train-model', 'TransE'); // its own norm, L1 (DistMult, chosen last, left Norm at the model's own)
    // a box checked where the form would not allow it (as a stale form would send it): the worker refuses it
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('#train-one-to-n')!;
      input.disabled = false;
      input.checked = true;
    });
    await page.setInputFiles('#train-file', { name: 'family.tsv', mimeType: 'text/plain', buffer: Buffer.from(`${triples.map((t) => t.join('\t')).join('\n')}\n`) });
    await page.waitForSelector('#train-button:not([disabled])');
    await page.click('#train-button');
    await page.waitForSelector('#train-error:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#train-error')).toBe(formRefusal('TransE'));
  });
});
