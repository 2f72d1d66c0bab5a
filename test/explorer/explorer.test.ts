/**
 * The explorer in headless Chromium against `kgdistill serve`'s app on a loopback port, over three small runs (two
 * teachers and a MulDE student): what the page shows is checked against the JSON API's own answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { initBackend } from '../../src/core/backend.js';
import { tempDir } from '../lookup/helpers.js';
import { addModel, buildExplorer, describeWithChromium, launchBrowser, openPage, serve, trainRuns, type RunningServer } from './fixture.js';

type Json = Record<string, any>;
/** A rank as the page writes it (a mean of tied ranks with one decimal). */
const fmtRank = (rank: number): string => (Number.isInteger(rank) ? rank.toLocaleString('en-US') : rank.toFixed(1));
const tmp = tempDir('explorer');

describeWithChromium('the explorer in a browser', () => {
  let runs: Awaited<ReturnType<typeof trainRuns>>;
  let assets: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let requests: string[];
  let errors: string[];
  const api = async (url: string): Promise<Json> => (await server.app.inject({ method: 'GET', url })).json() as Json;
  const texts = (selector: string): Promise<string[]> => page.locator(selector).allTextContents();
  const attrs = (selector: string, name: string): Promise<string[]> => page.locator(selector).evaluateAll((nodes, n) => nodes.map((node) => node.getAttribute(n) ?? ''), name);

  /** Types `text` key by key, picks the suggestion with `key`, and waits for the neighbours of it. */
  async function pick(text: string, key: string): Promise<void> {
    await page.fill('#entity-input', '');
    await page.type('#entity-input', text, { delay: 15 });
    await page.locator(`#suggestions li[data-key="${key}"]`).click();
    await page.waitForFunction((k) => document.querySelector('#neighbors-note')?.textContent?.includes(`(${k})`), key);
  }

  beforeAll(async () => {
    await initBackend('wasm');
    runs = await trainRuns(tmp);
    assets = buildExplorer(path.join(tmp, 'assets'));
    server = await serve([runs.roth, runs.distmult, runs.student], assets);
    browser = await launchBrowser();
    ({ page, requests, errors } = await openPage(browser, server.url));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists every served model with its facts, test metrics and curves (vega-lite, drawn in the page)', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#model-select option').length === 3);
    expect(await attrs('#model-select option', 'value')).toEqual(['server:roth', 'server:distmult', 'server:student']);
    await page.waitForSelector('#model-facts dd[data-fact="test MRR"]');
    const result = JSON.parse(readFileSync(path.join(runs.roth, 'result.json'), 'utf8')) as Json;
    expect(await page.textContent('#model-facts dd[data-fact="test MRR"]')).toBe(result.mrr.toFixed(4));
    expect(await page.textContent('#model-facts dd[data-fact="model"]')).toBe('RotH, dimension 16');
    await page.waitForSelector('#curves svg .mark-line path');
    expect(await page.locator('#curves svg .mark-line path').count()).toBe(2); // loss and validation MRR
    expect(await page.locator('#curves svg .mark-symbol path').count()).toBe(3); // validated at epochs 10, 20, 30
  });

  it('suggests entities as one types, then shows the neighbours, a prediction with known answers, and the disk', async () => {
    await page.type('#entity-input', 'node 1', { delay: 15 });
    await page.waitForSelector('#suggestions li[data-key]');
    const expected = (await api('/models/roth/suggest?q=node%201&k=8')).suggestions.map((s: Json) => s.key);
    // the list follows the typing (each pause asks again): wait for the answer to the whole text
    await page.waitForFunction((keys) => [...document.querySelectorAll('#suggestions li[data-key]')].map((li) => li.getAttribute('data-key')).join() === keys.join(), expected);
    expect(await attrs('#suggestions li[data-key]', 'data-key')).toEqual(expected);
    // a combobox for screen readers: the option the arrow keys reach is its active descendant, gone with the list
    expect(await page.getAttribute('#entity-input', 'role')).toBe('combobox');
    await page.press('#entity-input', 'ArrowDown');
    expect(await page.getAttribute('#entity-input', 'aria-activedescendant')).toBe('suggestion-0');
    await page.press('#entity-input', 'Escape');
    expect(await page.getAttribute('#entity-input', 'aria-activedescendant')).toBeNull();
    await pick('node 12', 'e12');

    const neighbors = await api('/models/roth/neighbors?entity=e12&k=10');
    expect(await attrs('#neighbors tbody tr', 'data-id')).toEqual(neighbors.neighbors.map((n: Json) => String(n.id)));
    const shown = (await attrs('#neighbors tbody td.num', 'data-value')).map(Number);
    shown.forEach((value, i) => expect(value).toBeCloseTo(neighbors.neighbors[i].distance, 6));

    await page.selectOption('#relation-select', 'child');
    await page.waitForFunction(() => document.querySelector('#predictions-note')?.textContent === '(e12, child, ?)');
    const prediction = await api('/models/roth/predict?head=e12&relation=child&k=10');
    await page.waitForFunction((n) => document.querySelectorAll('#predictions tbody tr').length === n, prediction.answers.length);
    expect(await attrs('#predictions tbody tr', 'data-id')).toEqual(prediction.answers.map((a: Json) => String(a.id)));
    const marks = await texts('#predictions tbody td.known-mark');
    expect(marks.map((m) => m === '✓ known')).toEqual(prediction.answers.map((a: Json) => a.known));
    expect(marks.filter((m) => m === '✓ known').length).toBeGreaterThan(0); // e12's children are in the graph

    // the disk: the query at the centre, one point per shown entity, all inside the unit disk, hover = true distance
    await page.waitForSelector('#disk svg[data-geometry="poincare-disk"] circle.point.query');
    const ids = new Set([...neighbors.neighbors, ...prediction.answers].map((e: Json) => e.id).filter((id: number) => id !== 24));
    await page.waitForFunction((n) => document.querySelectorAll('#disk circle.point').length === n, ids.size + 1);
    const xs = (await attrs('#disk circle.point', 'data-x')).map(Number), ys = (await attrs('#disk circle.point', 'data-y')).map(Number);
    xs.forEach((x, i) => expect(Math.hypot(x, ys[i]!)).toBeLessThan(1));
    expect(await attrs('#disk circle.point.query', 'data-key')).toEqual(['e12']);
    const first = neighbors.neighbors[0];
    await page.hover(`#disk circle.point[data-id="${first.id}"]`);
    const tip = await page.textContent('#disk-tip');
    expect(tip).toContain(`hyperbolic distance from the query: ${first.distance.toFixed(4).slice(0, -1)}`);
    expect(Number(await page.getAttribute(`#disk circle.point[data-id="${first.id}"]`, 'data-distance'))).toBeCloseTo(first.distance, 3);
    // a tip shown by the keyboard's focus goes with the focus
    await page.mouse.move(0, 0);
    await page.focus(`#disk circle.point[data-id="${first.id}"]`);
    expect(await page.isVisible('#disk-tip')).toBe(true);
    await page.focus('#entity-input');
    expect(await page.isHidden('#disk-tip')).toBe(true);
    expect(await page.textContent('#disk-method')).toContain('log map at the query entity');

    // enlarged: wider on screen and every point labelled (only the first few are, small); shrunk back as it was
    const width = async (): Promise<number> => (await page.locator('#disk svg').boundingBox())!.width;
    const shownLabels = (): Promise<number> => page.locator('#disk text.point-label').evaluateAll((nodes) => nodes.filter((n) => getComputedStyle(n).display !== 'none').length);
    const small = await width(), smallLabels = await shownLabels();
    expect(smallLabels).toBeLessThan(ids.size + 1);
    await page.click('#disk-size');
    expect(await width()).toBeGreaterThan(1.3 * small);
    expect(await shownLabels()).toBe(ids.size + 1);
    expect(await page.getAttribute('#disk-size', 'aria-pressed')).toBe('true');
    await page.click('#disk-size');
    expect(await width()).toBe(small);
    expect(await shownLabels()).toBe(smallLabels);
    expect(await page.textContent('#disk-size')).toBe('Enlarge');
  });

  it('switches models: DistMult answers by inner product and is drawn on a plane', async () => {
    await page.selectOption('#model-select', 'server:distmult');
    await page.waitForFunction(() => document.querySelector('#model-facts dd[data-fact="model"]')?.textContent === 'DistMult, dimension 16');
    await page.waitForSelector('#disk svg[data-geometry="plane"]');
    expect(await texts('#neighbors thead th')).toEqual(['#', 'entity', 'similarity (inner product)']);
    const neighbors = await api('/models/distmult/neighbors?entity=e12&k=10');
    await page.waitForFunction((first) => document.querySelector('#neighbors tbody tr')?.getAttribute('data-id') === first, String(neighbors.neighbors[0].id));
    expect(await attrs('#neighbors tbody tr', 'data-id')).toEqual(neighbors.neighbors.map((n: Json) => String(n.id)));
    expect(await page.textContent('#disk-method')).toContain('true Euclidean distance');
  });

  it('asks for a model\'s facts again when they failed to come (the server away for a moment), at the next entity asked for', async () => {
    const { page: flaky } = await openPage(browser, server.url);
    try {
      await flaky.waitForSelector('#model-select option[value="server:roth"]', { state: 'attached' });
      let refused = 0;
      await flaky.route('**/models/distmult', async (route) => { refused++; await route.abort('connectionrefused'); });
      await flaky.selectOption('#model-select', 'server:distmult');
      await flaky.waitForSelector('#query-message.error:not([hidden])'); // the failure, said
      await flaky.waitForFunction(() => (document.querySelector('#model-facts')?.children.length ?? 0) === 0);
      expect(refused).toBeGreaterThan(0);
      await flaky.unroute('**/models/distmult');
      await flaky.fill('#entity-input', 'e12');
      await flaky.press('#entity-input', 'Enter');
      await flaky.waitForFunction(() => document.querySelector('#model-facts dd[data-fact="model"]')?.textContent === 'DistMult, dimension 16');
      await flaky.waitForFunction(() => document.querySelector('#neighbors-note')?.textContent?.includes('(e12)'));
    } finally {
      await flaky.close();
    }
  });

  it('shows a student beside its teachers with the gold answer\'s ranks', async () => {
    await page.selectOption('#model-select', 'server:student');
    await page.waitForSelector('#compare-panel:not([hidden])');
    await page.selectOption('#relation-select', 'parent');
    await page.waitForFunction(() => document.querySelector('#compare p.note')?.textContent?.includes(', parent, ?)') && document.querySelectorAll('#compare tr[data-status="ready"]').length === 3);
    const compared = await api('/models/student/compare?head=e12&relation=parent&k=10');
    expect(await attrs('#compare tbody tr', 'data-model')).toEqual(['student', 'roth', 'distmult']);
    expect((await attrs('#compare td.gold-rank', 'data-filtered')).map(Number)).toEqual(compared.models.map((m: Json) => m.gold.filtered));
    expect(await page.textContent('#compare p.note')).toContain(`gold answer ${compared.gold.name} (${compared.gold.key})`);
    await page.hover('#disk circle.point.neighbor >> nth=0');
    await page.screenshot({ path: path.join(tmp, 'explorer.png'), fullPage: true });
    await page.fill('#gold-input', 'e0');
    await page.dispatchEvent('#gold-input', 'change');
    await page.waitForFunction(() => document.querySelector('#compare p.note')?.textContent?.includes('(e0)') && document.querySelectorAll('#compare tr[data-status="ready"]').length === 3);
    const withGold = await api('/models/student/compare?head=e12&relation=parent&k=10&gold=e0');
    expect((await attrs('#compare td.gold-rank', 'data-filtered')).map(Number)).toEqual(withGold.models.map((m: Json) => m.gold.filtered));
  });

  it('meets an unknown entity with suggestions, not an error', async () => {
    await page.fill('#entity-input', 'node 12x');
    await page.press('#entity-input', 'Enter');
    await page.waitForSelector('#query-message.hint:not([hidden]) button.suggestion');
    expect(await page.textContent('#query-message')).toContain("unknown entity 'node 12x'");
    const keys = await attrs('#query-message button.suggestion', 'data-key');
    expect(keys).toContain('e12');
    await page.click('#query-message button.suggestion[data-key="e12"]');
    await page.waitForSelector('#query-message', { state: 'hidden' });
    // the message hides as the query starts; the field takes the name when the neighbours arrive (the key goes in the queries)
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#entity-input')?.value !== 'node 12x');
    expect(await page.inputValue('#entity-input')).toBe('node 12');
    // a name of two entities: one button each, by key
    await page.fill('#entity-input', 'NAÏVE CAFÉ');
    await page.press('#entity-input', 'Enter');
    await page.waitForSelector('#query-message.hint:not([hidden]) button.suggestion');
    expect(await page.textContent('#query-message')).toMatch(/^'NAÏVE CAFÉ' matches 2 entities: .* Which one: /);
    expect((await attrs('#query-message button.suggestion', 'data-key')).sort()).toEqual(['e230', 'e4']);
    await page.click('#query-message button.suggestion[data-key="e230"]');
    await page.waitForFunction(() => document.querySelector('#neighbors-note')?.textContent?.includes('(e230)'));
    // the 404 of the unknown name and the 400 of the ambiguous one are the only console errors
    expect(errors.filter((e) => !e.includes('404') && !e.includes('400'))).toEqual([]);
  });

  it('keeps the asked entity and the relation across a model switch, says the k it used, and gives an unknown gold answer to the comparison', async () => {
    // a model picked while the neighbours of a newly typed entity are on their way shows that entity (it showed the one before)
    await page.selectOption('#model-select', 'server:student');
    await page.waitForSelector('#compare-panel:not([hidden])');
    await page.selectOption('#relation-select', 'parent');
    await page.route('**/neighbors?*', async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue(); });
    await page.fill('#entity-input', 'e20');
    await page.press('#entity-input', 'Enter');
    await page.selectOption('#model-select', 'server:roth');
    await page.waitForFunction(() => document.querySelector('#model-facts dd[data-fact="model"]')?.textContent === 'RotH, dimension 16');
    await page.waitForFunction(() => document.querySelector('#neighbors-note')?.textContent?.includes('(e20)') && document.querySelector('#predictions-note')?.textContent === '(e20, parent, ?)');
    await page.unroute('**/neighbors?*');
    expect(await page.inputValue('#relation-select')).toBe('parent'); // was reset to the first relation
    // k out of range: the field shows the k used
    await page.fill('#k-input', '0');
    await page.dispatchEvent('#k-input', 'change');
    await page.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr').length === 1);
    expect(await page.inputValue('#k-input')).toBe('1');
    await page.fill('#k-input', '10');
    await page.dispatchEvent('#k-input', 'change');
    await page.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr').length === 10);
    // an unknown gold answer: said in the comparison, its suggestion fills the gold field; the query entity stays
    await page.selectOption('#model-select', 'server:student');
    await page.waitForSelector('#compare-panel:not([hidden])');
    await page.fill('#gold-input', 'node 12x');
    await page.dispatchEvent('#gold-input', 'change');
    await page.waitForSelector('#compare button.suggestion[data-key="e12"]');
    expect(await page.textContent('#compare')).toContain("Comparison: unknown entity 'node 12x'");
    expect(await page.textContent('#neighbors-note')).toContain('(e20)');
    await page.click('#compare button.suggestion[data-key="e12"]');
    await page.waitForFunction(() => document.querySelector('#compare p.note')?.textContent?.includes('gold answer') && document.querySelector('#compare p.note')?.textContent?.includes('(e12)'));
    expect(await page.inputValue('#gold-input')).toBe('e12');
    expect(await page.textContent('#neighbors-note')).toContain('(e20)');
    // no prediction: no comparison either
    await page.selectOption('#relation-select', '');
    await page.waitForFunction(() => document.querySelector('#compare')?.textContent === '');
    await page.fill('#gold-input', '');
    await page.dispatchEvent('#gold-input', 'change');
  });

  it('checks one answer of the query: the triple\'s score and the tail\'s ranks of the API, an unknown one with suggestions', async () => {
    await page.selectOption('#model-select', 'server:roth');
    await page.waitForFunction(() => document.querySelector('#model-facts dd[data-fact="model"]')?.textContent === 'RotH, dimension 16');
    await page.selectOption('#relation-select', 'parent');
    await page.waitForFunction(() => document.querySelector('#predictions-note')?.textContent === '(e20, parent, ?)');
    const checked = async (answer: string, expected: string): Promise<string> => {
      await page.fill('#check-input', answer);
      await page.dispatchEvent('#check-input', 'change');
      await page.waitForFunction((text) => document.querySelector('#check-result')?.textContent?.includes(text), expected);
      return (await page.textContent('#check-result'))!;
    };
    // (e20, parent, e6): the parent of 20 is (20 − 1) / 3 = 6, a known triple
    const known = await api('/models/roth/predict?head=e20&relation=parent&tail=e6');
    expect(known.known).toBe(true);
    expect(await checked('e6', 'e6')).toBe(`(node 20 (e20), parent, node 6 (e6)): score ${known.score.toFixed(4)}; the tail's rank among all entities for (e20, parent, ?): ${fmtRank(known.rank.filtered)} filtered (the other known tails left out), ${fmtRank(known.rank.raw)} raw; a known triple (train, valid or test).`); // no note on tails: the table's scores are this triple's
    // the other direction scores (answer, parent, e20): e6 is not e20's child
    await page.selectOption('#direction-select', 'heads');
    const reversed = await api('/models/roth/predict?head=e6&relation=parent&tail=e20');
    expect(reversed.known).toBe(false);
    expect(await checked('e6', '(node 6 (e6), parent, node 20 (e20))')).toContain(`score ${reversed.score.toFixed(4)}; the tail's rank among all entities for (e6, parent, ?): ${fmtRank(reversed.rank.filtered)} filtered (the other known tails left out), ${fmtRank(reversed.rank.raw)} raw; not in the dataset. The heads listed above are ranked by the reciprocal query (e20, parent⁻¹, ?), whose scores are not this triple's.`);
    await page.selectOption('#direction-select', 'tails');
    // an unknown answer: named by its place, a suggestion fills the field and checks it
    expect(await checked('node 6x', "Check: tail: unknown entity 'node 6x'")).toContain('Did you mean:');
    await page.click('#check-result button.suggestion[data-key="e6"]');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent?.startsWith('(node 20 (e20), parent, node 6 (e6))'));
    expect(await page.inputValue('#check-input')).toBe('e6');
    // no relation: said; an empty field: nothing shown
    await page.selectOption('#relation-select', '');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent === 'choose a relation to check an answer');
    await page.fill('#check-input', '');
    await page.dispatchEvent('#check-input', 'change');
    await page.waitForSelector('#check-result[hidden]', { state: 'attached' });
  });

  it('sends requests to its own server only', () => {
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => !url.startsWith(`${server.url}/`) && !url.startsWith('data:'))).toEqual([]);
  });

  it('says that a model is still loading, then shows it when the server has it', async () => {
    const later = await serve([runs.roth], assets, {}, false);
    const { page: waiting } = await openPage(browser, later.url);
    try {
      await waiting.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('still loading roth'));
      expect(await waiting.getAttribute('#model-select option', 'value')).toBe('loading:roth');
      expect(await waiting.getAttribute('#model-select option', 'disabled')).not.toBeNull();
      later.lookups.push(await addModel(later.models, runs.roth));
      await waiting.waitForSelector('#model-select option[value="server:roth"]:not([disabled])', { state: 'attached', timeout: 15_000 });
      await waiting.waitForSelector('#model-facts dd[data-fact="test MRR"]');
    } finally {
      await waiting.close();
      await later.close();
    }
  });

  it('asks for the API key of a server that needs one, and then works', async () => {
    const key = 'explorer-test-key-0123456789';
    const keyed = await serve([runs.roth], assets, { apiKey: key });
    const { page: locked } = await openPage(browser, keyed.url);
    try {
      await locked.waitForSelector('#key-form:not([hidden])');
      expect(await locked.textContent('#status')).toContain('needs an API key');
      await locked.fill('#key-input', 'not-the-key');
      await locked.click('#key-form button[type="submit"]');
      await locked.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('refused this API key'));
      await locked.fill('#key-input', key);
      await locked.click('#key-form button[type="submit"]');
      await locked.waitForSelector('#model-select option[value="server:roth"]', { state: 'attached' });
      await locked.waitForSelector('#key-form', { state: 'hidden' });
      expect(await locked.evaluate(() => sessionStorage.getItem('kgdistill.apiKey'))).toBe(key);
      await locked.type('#entity-input', 'e5');
      await locked.press('#entity-input', 'Enter');
      await locked.waitForFunction(() => document.querySelectorAll('#neighbors tbody tr[data-id]').length === 10);
    } finally {
      await locked.close();
      await keyed.close();
    }
  });

  afterAll(() => {
    // docs/explorer.png is refreshed from this run with KGDISTILL_SCREENSHOTS=1
    if (process.env.KGDISTILL_SCREENSHOTS) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(path.join(tmp, 'explorer.png'), path.join('docs', 'explorer.png'));
    }
  });
});
