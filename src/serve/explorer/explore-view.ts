/**
 * The explore tab: a model's facts and curves, an entity's nearest entities, link prediction for (entity, relation,
 * ?) or (?, relation, entity) with known answers marked, the neighbourhood picture of those points, and — for a
 * distilled student — the comparison with its teachers. Works the same on a served model and on the model trained
 * in the page (model-source.ts). Unknown entities get suggestions; a model still loading is waited for, saying so.
 */
import { QueryError } from './api-client.js';
import { renderComparison } from './compare-view.js';
import { renderCurves } from './curves-view.js';
import { renderDisk, type PointFacts } from './disk-view.js';
import { byId, clear, el, entityLabel, fmt } from './dom.js';
import { EntitySearch } from './entity-search.js';
import type { ModelSource } from './model-source.js';
import type { EntityRef, ModelSummary, NeighborsResult, PredictResult } from './protocol.js';
import { emptyTable, renderNeighbors, renderPredictions } from './result-tables.js';
import { untilReady } from './retry.js';
import { showStatus } from './status.js';

/** A server message without its "; did you mean: …" tail (the page shows the suggestions as buttons). */
const withoutSuggestions = (message: string): string => message.replace(/; did you mean: .*$/, '.');

/** A button for each suggestion of a refusal ("key (name)") that hands its key (the answer's, not cut from its words) to `pick`. */
function suggestionButtons(error: QueryError, pick: (key: string) => void): HTMLButtonElement[] {
  return error.suggestionKeys.map((key, i) => {
    const button = el('button', { type: 'button', class: 'suggestion', 'data-key': key }, error.suggestions[i] ?? key);
    button.addEventListener('click', () => pick(key));
    return button;
  });
}

/** The explore tab's state and rendering. */
export class ExploreView {
  private source: ModelSource | undefined;
  private summary: ModelSummary | undefined;
  private entity: string | undefined;
  private seq = 0;
  /** Whether the shown model's facts failed to come (then the next entity asked for asks for them again). */
  private summaryFailed = false;
  /** The k asked for (`from`) when a model with fewer entities lowered the field (`to`). */
  private loweredK: { from: number; to: number } | undefined;
  /** Counts the answer checks, so that only the last one asked writes its result. */
  private checkSeq = 0;
  private readonly search: EntitySearch;
  private readonly tip = el('div', { id: 'disk-tip', hidden: '' });

  constructor() {
    this.search = new EntitySearch(byId<HTMLInputElement>('entity-input'), byId<HTMLUListElement>('suggestions'),
      () => (this.source ? (q, signal) => this.source!.suggest(q, signal) : undefined), (text) => void this.explore(text));
    for (const id of ['relation-select', 'direction-select', 'filtered-check', 'k-input']) {
      byId(id).addEventListener('change', () => { if (this.entity) void this.explore(this.entity); });
    }
    const gold = byId<HTMLInputElement>('gold-input');
    let lastGold = '';
    gold.addEventListener('change', () => {
      if (gold.value.trim() === lastGold) return; // a blur after a change already handled
      lastGold = gold.value.trim();
      if (this.entity) void this.explore(this.entity);
    });
    const check = byId<HTMLInputElement>('check-input');
    check.addEventListener('change', () => void this.checkAnswer());
    byId('disk').after(this.tip);
    const size = byId<HTMLButtonElement>('disk-size');
    size.addEventListener('click', () => {
      const large = byId('disk').closest('.picture')!.classList.toggle('large');
      size.textContent = large ? 'Shrink' : 'Enlarge';
      size.setAttribute('aria-pressed', String(large));
    });
  }

  /** The model shown now. */
  get current(): ModelSource | undefined {
    return this.source;
  }

  /** Shows `source`: its facts, relations and curves; the current entity (if any) is explored again. */
  async show(source: ModelSource): Promise<void> {
    const seq = ++this.seq;
    this.source = source;
    this.summary = undefined;
    this.summaryFailed = false;
    const summary = await untilReady(() => source.summary(), (m) => showStatus(m, 'wait'), () => seq === this.seq).catch((error: unknown) => {
      if (seq === this.seq) {
        this.summaryFailed = true; // the next entity asked for asks for the model's facts again
        clear(byId('model-facts')); // the model shown before is not this one
        this.clearResults('');
        this.fail(error);
      }
      return undefined;
    });
    if (!summary || seq !== this.seq) return;
    this.summary = summary;
    showStatus(summary.origin === 'page' ? `${summary.name}: answered in this page` : `${summary.name}: ${summary.model} d=${summary.dim} on ${summary.dataset}, answered by the server`, 'info');
    this.renderFacts(summary);
    const relations = byId<HTMLSelectElement>('relation-select');
    const previous = relations.options.length > 0 ? relations.value : undefined; // the relation chosen for the last model
    clear(relations);
    relations.append(el('option', { value: '' }, '— no prediction —'), ...summary.relations.map((r) => el('option', { value: r }, r)));
    // the same query on the next model, when it has the relation (or no prediction was chosen)
    relations.value = previous !== undefined && (previous === '' || summary.relations.includes(previous)) ? previous : summary.relations[0] ?? '';
    const filtered = byId<HTMLInputElement>('filtered-check');
    filtered.disabled = !summary.knownTriples;
    if (!summary.knownTriples) filtered.checked = false;
    byId('compare-panel').hidden = !(summary.teachers.length > 0 && source.compare);
    void renderCurves(byId('curves'), summary.curves, 200, summary.curvesNote);
    if (this.entity) await this.explore(this.entity);
    else this.clearResults('type an entity above: suggestions appear as you type');
  }

  /** Explores the entity named `text` with the current model. */
  async explore(text: string): Promise<void> {
    const source = this.source, summary = this.summary;
    if (!source || !summary) { // no model shown yet: explored once it is (show() explores the current entity)
      this.entity = text;
      if (source && this.summaryFailed) await this.show(source); // its facts did not come (the server was away): ask again
      return;
    }
    const seq = ++this.seq;
    const stale = (): boolean => seq !== this.seq;
    // what was asked for last: a model switched to before its answer came explores it, not the entity shown before
    this.entity = text;
    const waiting = (message: string): void => this.message(message, 'wait');
    const k = this.neighbourCount();
    const field = byId<HTMLInputElement>('entity-input');
    const typed = field.value;
    this.message('', 'info');
    try {
      const neighbors = await untilReady(() => source.neighbors(text, k), waiting, () => !stale());
      if (stale()) return;
      const entity = neighbors.entity;
      this.entity = entity.key;
      if (field.value === typed) this.search.set(entity.name ?? entity.key); // the readable name in the field (unless one typed meanwhile); queries use the key
      this.message('', 'info');
      renderNeighbors(byId('neighbors'), neighbors, (t) => void this.explore(t));
      byId('neighbors-note').textContent = `of ${entityLabel(entity)} (${neighbors.method})`;
      const relation = byId<HTMLSelectElement>('relation-select').value;
      const tails = byId<HTMLSelectElement>('direction-select').value !== 'heads';
      let prediction: PredictResult | undefined;
      if (relation) {
        prediction = await untilReady(() => source.predict({ ...(tails ? { head: entity.key } : { tail: entity.key }), relation, k, filtered: byId<HTMLInputElement>('filtered-check').checked }), waiting, () => !stale());
        if (stale()) return;
        renderPredictions(byId('predictions'), prediction, (t) => void this.explore(t));
        byId('predictions-note').textContent = tails ? `(${entity.key}, ${relation}, ?)` : `(?, ${relation}, ${entity.key})`;
        void this.checkAnswer();
      } else {
        emptyTable(byId('predictions'), 'choose a relation to predict');
        byId('predictions-note').textContent = '';
        clear(byId('compare')); // the comparison is of a prediction
        void this.checkAnswer();
      }
      await this.picture(source, entity, neighbors, prediction, stale);
      if (stale()) return;
      if (prediction && !byId('compare-panel').hidden && source.compare) await this.compare(source, entity, relation, tails, k, stale);
    } catch (error) {
      if (stale()) return;
      this.clearResults(''); // what is shown must be the answer to what the field asks
      this.fail(error);
    }
  }

  /**
   * The answer typed in the check field, scored as the tail of (entity, relation, ?) or the head of (?, relation,
   * entity): the triple's score, the tail's rank among all entities (filtered: the other known tails left out) and
   * whether the dataset holds it; an unknown answer gets suggestions that fill the field.
   */
  private async checkAnswer(): Promise<void> {
    const seq = ++this.checkSeq;
    const source = this.source, entity = this.entity, out = byId('check-result');
    const answer = byId<HTMLInputElement>('check-input').value.trim();
    const relation = byId<HTMLSelectElement>('relation-select').value;
    const show = (...parts: Array<Node | string>): void => {
      clear(out);
      out.append(...parts);
      out.hidden = parts.length === 0;
    };
    if (answer === '' || !source || !entity) return show();
    if (!relation) return show('choose a relation to check an answer');
    const tails = byId<HTMLSelectElement>('direction-select').value !== 'heads';
    try {
      const scored = await untilReady(() => source.score(tails ? { head: entity, relation, tail: answer } : { head: answer, relation, tail: entity }), (m) => show(m), () => seq === this.checkSeq);
      if (seq !== this.checkSeq) return;
      const { head, tail, rank } = scored;
      const ranks = rank.filtered === undefined ? `${fmt(rank.raw, 1)} (raw; no known triples to filter)` : `${fmt(rank.filtered, 1)} filtered (the other known tails left out), ${fmt(rank.raw, 1)} raw`;
      const known = scored.known === undefined ? '' : scored.known ? '; a known triple (train, valid or test)' : '; not in the dataset';
      // heads are listed by the reciprocal query's scores (as in training and evaluation): this triple's own score and tail rank differ
      const reciprocal = tails ? '' : ` The heads listed above are ranked by the reciprocal query (${tail.key}, ${scored.relation.key}⁻¹, ?), whose scores are not this triple's.`;
      show(`(${entityLabel(head)}, ${scored.relation.key}, ${entityLabel(tail)}): score ${fmt(scored.score, 4)}; the tail's rank among all entities for (${head.key}, ${scored.relation.key}, ?): ${ranks}${known}.${reciprocal}`);
    } catch (error) {
      if (seq !== this.checkSeq) return;
      const message = error instanceof Error ? withoutSuggestions(error.message) : String(error);
      const pick = (key: string): void => {
        byId<HTMLInputElement>('check-input').value = key;
        void this.checkAnswer();
      };
      const buttons = error instanceof QueryError ? suggestionButtons(error, pick) : [];
      show(`Check: ${message}`, ...(buttons.length > 0 ? [' Did you mean:'] : []), ...buttons.flatMap((button) => [' ', button]));
    }
  }

  /**
   * k from its field: an integer from 1 to 50 (empty or not a number: 10); the field is set to the k used, so that a
   * value out of range is not changed silently. A k lowered to a small model's entities goes back up on a larger
   * model: what was asked for, not the last model's limit.
   */
  private neighbourCount(): number {
    const field = byId<HTMLInputElement>('k-input');
    const asked = Number(field.value);
    const typed = Math.min(50, field.value.trim() === '' || !Number.isFinite(asked) ? 10 : Math.max(1, Math.round(asked)));
    const wanted = this.loweredK !== undefined && typed === this.loweredK.to ? this.loweredK.from : typed;
    // no more than the other entities there are (a graph of 3 entities has 2 neighbours to show)
    const k = Math.max(1, Math.min(wanted, (this.summary?.entities ?? 51) - 1));
    this.loweredK = k < wanted ? { from: wanted, to: k } : undefined;
    if (field.value !== String(k)) field.value = String(k);
    return k;
  }

  private async picture(source: ModelSource, entity: EntityRef, neighbors: NeighborsResult, prediction: PredictResult | undefined, stale: () => boolean): Promise<void> {
    const facts = new Map<number, PointFacts>();
    const LABELLED = 3; // the first few of each list are labelled; hovering shows every point's facts
    for (const n of neighbors.neighbors) facts.set(n.id, { role: 'neighbor', label: n.rank <= LABELLED, ...(n.similarity !== undefined ? { similarity: n.similarity } : {}) });
    for (const a of prediction?.answers ?? []) {
      if (a.id === entity.id) continue;
      const before = facts.get(a.id);
      facts.set(a.id, { ...before, role: before ? 'both' : 'answer', label: (before?.label ?? false) || a.rank <= LABELLED, score: a.score, ...(a.known !== undefined ? { known: a.known } : {}) });
    }
    const picture = await untilReady(() => source.projection(entity.key, [...facts.keys()]), (m) => this.message(m, 'wait'), () => !stale());
    if (stale()) return;
    const lambda = renderDisk(byId('disk'), picture, facts, this.tip);
    const why = lambda < 1 ? 'so the farthest point does not crowd the boundary' : 'so the points, all close to the query, spread over the disk';
    const zoom = lambda !== 1 ? ` Drawn with every distance from the query scaled by λ = ${fmt(lambda, 2)} (the disk of curvature −λ²) ${why}; the rings and the hover show the true distances.` : '';
    byId('disk-method').textContent = `${picture.geometry === 'poincare-disk' ? 'Poincaré disk' : 'Plane'}: ${picture.method}.${zoom} The two directions keep ${fmt(100 * picture.explained, 0)}% of the tangent vectors' energy. Blue: nearest entities, orange: predicted answers (ringed: known true), purple: both.`;
  }

  private async compare(source: ModelSource, entity: EntityRef, relation: string, tails: boolean, k: number, stale: () => boolean): Promise<void> {
    const gold = byId<HTMLInputElement>('gold-input').value.trim(); // empty: the server takes the query's first known answer
    const target = byId('compare');
    let result: Awaited<ReturnType<NonNullable<ModelSource['compare']>>>;
    try {
      result = await untilReady(() => source.compare!({ ...(tails ? { head: entity.key } : { tail: entity.key }), relation, k, ...(gold ? { gold } : {}) }),
        (m) => { target.textContent = m; }, () => !stale());
    } catch (error) {
      if (!stale()) this.compareFailed(error);
      return;
    }
    if (stale()) return;
    renderComparison(target, result);
    const loading = result.models.filter((m) => m.status === 'loading');
    if (loading.length > 0) setTimeout(() => { if (!stale()) void this.compare(source, entity, relation, tails, k, stale); }, 1500);
  }

  /** A comparison refused (e.g. an unknown gold answer): said in the comparison panel; a suggestion fills the gold field. */
  private compareFailed(error: unknown): void {
    const target = byId('compare');
    clear(target);
    const message = error instanceof Error ? withoutSuggestions(error.message) : String(error);
    target.append(el('p', { class: 'message hint' }, `Comparison: ${message}`));
    if (error instanceof QueryError && error.suggestions.length > 0) {
      const line = el('p', {}, 'Gold answer, did you mean: ');
      const pick = (key: string): void => {
        byId<HTMLInputElement>('gold-input').value = key;
        if (this.entity) void this.explore(this.entity);
      };
      for (const button of suggestionButtons(error, pick)) line.append(button, ' ');
      target.append(line);
    }
  }

  private renderFacts(s: ModelSummary): void {
    const facts = byId('model-facts');
    clear(facts);
    const row = (name: string, value: string): void => { facts.append(el('dt', {}, name), el('dd', { 'data-fact': name }, value)); };
    row('dataset', s.dataset);
    row('model', `${s.model}, dimension ${s.dim}`);
    row('entities', fmt(s.entities));
    row('relations', fmt(s.relations.length));
    row('geometry', { poincare: 'hyperbolic (Poincaré ball)', dot: 'Euclidean, inner product', l1: 'Euclidean space, L1 distance',
      'complex-l1': 'complex space, sum of moduli', euclidean: 'Euclidean distance' }[s.metric]);
    if (s.test) row('test MRR', fmt(s.test.mrr, 4));
    if (s.test) row('test Hits@1 / @3 / @10', `${fmt(s.test['hits@1'])} / ${fmt(s.test['hits@3'])} / ${fmt(s.test['hits@10'])}`);
    if (!s.test) row('test metrics', s.testSkipped ? `none: ${s.testSkipped.reason}${s.testSkipped.evalCommand ? `; it runs with ${s.testSkipped.evalCommand}` : ''}` : s.testNote ? `none: ${s.testNote}` : 'none recorded (no result.json)');
    if (s.teachers.length > 0) row('teachers (MulDE)', s.teachers.map((t) => `${t.name}${t.found ? '' : ' (not found)'}`).join(', '));
    const settings = Object.entries(s.settings).map(([key, value]) => `${key} ${String(value)}`).join(', ');
    if (settings) row('settings', settings);
    if (s.note) row('note', s.note);
  }

  private clearResults(note: string): void {
    emptyTable(byId('neighbors'), note);
    emptyTable(byId('predictions'), '');
    byId('neighbors-note').textContent = '';
    byId('predictions-note').textContent = '';
    clear(byId('disk'));
    byId('disk-method').textContent = '';
    clear(byId('compare'));
    clear(byId('check-result'));
    byId('check-result').hidden = true;
  }

  /** A message under the query: an error, something being waited for, or suggestions for an unknown entity. */
  private message(text: string, kind: 'info' | 'wait' | 'error' | 'hint', suggested?: QueryError): void {
    const box = byId('query-message');
    clear(box);
    box.className = `message ${kind}`;
    box.hidden = text === '';
    box.append(text);
    if (suggested && suggested.suggestions.length > 0) {
      box.append(suggested.code === 'ambiguous' ? ' Which one: ' : ' Did you mean: ');
      for (const button of suggestionButtons(suggested, (key) => void this.explore(key))) box.append(button, ' ');
    }
  }

  private fail(error: unknown): void {
    if (error instanceof QueryError && (error.status === 404 || error.code === 'ambiguous') && error.suggestions.length > 0) {
      return this.message(withoutSuggestions(error.message), 'hint', error); // a name of several entities: one button each
    }
    if (error instanceof QueryError && error.status === 404) return this.message(`${error.message} (nothing close to it either)`, 'hint');
    this.message(error instanceof Error ? error.message : String(error), 'error');
  }
}
