/**
 * The train tab: drop (or choose) a triple file, pick the model and its settings, and train it in a Web Worker
 * with the engine of `kgdistill train` (worker-client.ts), with a progress bar and the curves as they come; the
 * filtered test MRR at the end, and the trained model joins the model picker to be explored in the page.
 */
import { QueryError } from './api-client.js';
import { renderCurves } from './curves-view.js';
import { byId, clear, el, fmt } from './dom.js';
import type { CurvePoint, DroppedFile, FormLabels, NormChoice, TrainChoice, TrainOutcome, TrainSettings } from './protocol.js';
import { WorkerClient, type Progress } from './worker-client.js';
import { WorkerSource } from './worker-source.js';

/** The model chosen when the list arrives. */
const DEFAULT_MODEL = 'RotH';

/** The form's fields by option key: their labels name the options in the page's refusals (formNaming). */
const FIELDS: Readonly<Record<string, string>> = {
  model: 'train-model', norm: 'train-norm', dim: 'train-dim', epochs: 'train-epochs', lr: 'train-lr', optimizer: 'train-optimizer',
  batchSize: 'train-batch', neg: 'train-neg', oneToN: 'train-one-to-n', validEvery: 'train-valid-every', seed: 'train-seed',
};

/** A field's label: its label's own words (not a select's options), else its id. */
function labelOf(field: HTMLElement): string {
  const words = [...(field.closest('label')?.childNodes ?? [])].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('');
  return words.trim() || field.id;
}

/** Disables `field` with the words of its `refusal` as its label's tooltip, or enables it with the label's own `title`. */
function allow(field: HTMLInputElement | HTMLSelectElement, refusal: string | null, title: string): void {
  field.disabled = refusal !== null;
  const label = field.closest('label');
  if (label) label.title = refusal ?? title;
}

/** The train tab. */
export class TrainView {
  private readonly client = new WorkerClient();
  private files: DroppedFile[] = [];
  private curve: CurvePoint[] = [];
  private modelsLoaded = false;
  private lastChart = 0;
  /** A training is under way: Train stays disabled until it ends (the worker trains one model at a time). */
  private running = false;
  /** Counts the file choices, so that only the last one's files are kept (reading them takes a while). */
  private choice = 0;
  /** Per model, the norms and 1-N training the engine allows (worker: trainChoices); empty until it answers. */
  private choices = new Map<string, TrainChoice>();
  /** The tooltips of the Norm and 1-N fields' labels in the markup, shown while a field is allowed. */
  private readonly titles = { norm: byId('train-norm').closest('label')?.title ?? '', oneToN: byId('train-one-to-n').closest('label')?.title ?? '' };

  /**
   * `trained` receives the model source of a finished training; `retired` hears when the in-page model trained
   * before is gone (a new training replaces it, Stop ends the worker).
   */
  constructor(private readonly trained: (source: WorkerSource) => void, private readonly retired: () => void = () => undefined) {
    const zone = byId('drop-zone');
    zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      if (event.dataTransfer?.files) void this.take([...event.dataTransfer.files]);
    });
    // 1-N (`kgdistill train --one-to-n`): every query scored against all entities, Negatives unused; Norm and 1-N
    // only where the engine allows them for the model (and norm) chosen
    byId('train-one-to-n').addEventListener('change', () => this.fitNegatives());
    for (const id of ['train-model', 'train-norm']) byId(id).addEventListener('change', () => this.fitChoices());
    const input = byId<HTMLInputElement>('train-file');
    input.addEventListener('change', () => void this.take([...(input.files ?? [])]));
    byId('train-button').addEventListener('click', () => void this.train());
    byId('train-cancel').addEventListener('click', () => {
      this.client.stop('training stopped: in-page training keeps no checkpoint, so nothing of this run is kept');
      this.retired();
    });
  }

  /** Called when the tab is shown: loads the model names from the worker (the registry of the engine). */
  async opened(): Promise<void> {
    if (this.modelsLoaded) return;
    const select = byId<HTMLSelectElement>('train-model');
    try {
      const [names, choices] = await Promise.all([this.client.query<string[]>('models', []), this.client.query<TrainChoice[]>('trainChoices', [this.labels()])]);
      clear(select);
      for (const name of names) select.append(el('option', { value: name }, name));
      select.value = names.includes(DEFAULT_MODEL) ? DEFAULT_MODEL : names[0] ?? '';
      this.choices = new Map(choices.map((c) => [c.model, c]));
      this.fitChoices();
      this.modelsLoaded = true;
    } catch (error) {
      this.error(`the training engine could not start: ${(error as Error).message}`);
    }
  }

  /**
   * Allows Norm and the 1-N box as the engine does for the chosen model and norm: a refused one is disabled (a
   * refused box also unchecked), its label's tooltip saying why.
   */
  private fitChoices(): void {
    const choice = this.choices.get(byId<HTMLSelectElement>('train-model').value);
    if (!choice) return; // the engine has not answered: the worker refuses what it must
    const norm = byId<HTMLSelectElement>('train-norm'), box = byId<HTMLInputElement>('train-one-to-n');
    allow(norm, choice.norm, this.titles.norm);
    if (norm.disabled) norm.value = '';
    allow(box, choice.oneToN[norm.value as NormChoice] ?? null, this.titles.oneToN);
    if (box.disabled) box.checked = false;
    this.fitNegatives();
  }

  /** Negatives are unused by 1-N training. */
  private fitNegatives(): void {
    byId<HTMLInputElement>('train-neg').disabled = byId<HTMLInputElement>('train-one-to-n').checked;
  }

  /** The form's labels by option key (the worker names options by them in its refusals). */
  private labels(): FormLabels {
    return Object.fromEntries(Object.entries(FIELDS).map(([key, id]) => [key, labelOf(byId(id))]));
  }

  private async take(chosen: File[]): Promise<void> {
    const choice = ++this.choice;
    // until the new files are read, Train cannot start on the ones chosen before
    this.files = [];
    byId<HTMLButtonElement>('train-button').disabled = true;
    byId('train-error').hidden = true;
    byId('train-files').textContent = chosen.length > 0 ? `reading ${chosen.map((f) => f.name).join(', ')} …` : '';
    const files = await Promise.all(chosen.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    if (choice !== this.choice) return; // another choice came meanwhile
    this.files = files;
    byId('train-files').textContent = files.map((f) => `${f.name} (${fmt(f.bytes.byteLength)} bytes)`).join(', ');
    byId<HTMLButtonElement>('train-button').disabled = this.running || files.length === 0;
  }

  private settings(): TrainSettings {
    const num = (id: string): number => {
      const field = byId<HTMLInputElement>(id);
      const label = labelOf(field);
      if (field.value.trim() === '') throw new Error(`'${label}' is empty: give it a number`); // Number('') would read 0
      const value = Number(field.value);
      // the field's own bounds (Negatives ≥ 1: 0 samples none, 1-N is its own box; Dimension ≤ 256)
      const [min, max] = [field.min, field.max].map((b) => (b === '' ? undefined : Number(b)));
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        throw new Error(`'${label}' must be ${min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`}, got ${field.value}`);
      }
      return value;
    };
    const norm = byId<HTMLSelectElement>('train-norm'), oneToN = byId<HTMLInputElement>('train-one-to-n');
    return {
      model: byId<HTMLSelectElement>('train-model').value, ...(!norm.disabled && norm.value !== '' ? { norm: Number(norm.value) } : {}), dim: num('train-dim'), epochs: num('train-epochs'), lr: num('train-lr'),
      optimizer: byId<HTMLSelectElement>('train-optimizer').value, batchSize: num('train-batch'),
      ...(oneToN.checked && !oneToN.disabled ? { oneToN: true } : { neg: num('train-neg') }),
      validEvery: num('train-valid-every'), seed: num('train-seed'),
    };
  }

  private async train(): Promise<void> {
    if (this.running || this.files.length === 0) return;
    const button = byId<HTMLButtonElement>('train-button'), cancel = byId('train-cancel'), progress = byId<HTMLProgressElement>('train-progress');
    byId('train-error').hidden = true;
    byId('train-result').hidden = true;
    this.curve = [];
    void renderCurves(byId('train-curves'), [], 420);
    button.disabled = true;
    cancel.hidden = false;
    progress.hidden = false;
    progress.value = 0;
    const started = performance.now();
    this.running = true;
    try {
      const files = this.files.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) })); // copies: the originals stay for another run
      // the model trained before is replaced once the worker has read the files and the settings (a refused file keeps it)
      const outcome = await this.client.train(files, this.settings(), this.labels(), { progress: (p) => this.progress(p), epoch: (point) => this.epoch(point), replaced: () => this.retired() });
      progress.value = 1;
      byId('train-status').textContent = `done in ${fmt((performance.now() - started) / 1000, 1)} s`;
      await renderCurves(byId('train-curves'), this.curve, 420);
      this.result(outcome);
      this.trained(new WorkerSource(this.client, outcome.summary));
    } catch (error) {
      progress.hidden = true;
      this.error(error instanceof QueryError || error instanceof Error ? error.message : String(error));
    } finally {
      this.running = false;
      button.disabled = this.files.length === 0;
      cancel.hidden = true;
    }
  }

  private progress(p: Progress): void {
    const bar = byId<HTMLProgressElement>('train-progress');
    const done = p.phase === 'loading' ? 0 : (Math.max(0, p.epoch - 1) + (p.steps > 0 ? p.step / p.steps : 0)) / Math.max(1, p.epochs);
    bar.value = Math.min(1, Math.max(0, done));
    const last = this.curve.at(-1);
    const what = p.phase === 'loading' ? p.message ?? 'loading' : p.phase === 'testing' ? 'evaluating the best checkpoint on test (filtered)' : `epoch ${p.epoch}/${p.epochs}${p.phase === 'validating' ? ' · validating' : ` · step ${p.step}/${p.steps}`}`;
    byId('train-status').textContent = `${what}${last ? ` · loss ${fmt(last.loss, 4)}` : ''}${last?.validMrr !== undefined ? ` · valid MRR ${fmt(last.validMrr, 3)}` : ''}`;
  }

  private epoch(point: CurvePoint): void {
    this.curve.push(point);
    const now = performance.now();
    if (now - this.lastChart > 400) {
      this.lastChart = now;
      void renderCurves(byId('train-curves'), this.curve, 420);
    }
  }

  private result(o: TrainOutcome): void {
    const box = byId('train-result');
    clear(box);
    const t = o.summary.test;
    box.append(
      el('p', { class: 'headline', 'data-mrr': String(t?.mrr ?? ''), 'data-hits10': String(t?.['hits@10'] ?? '') }, t ? `test MRR ${fmt(t.mrr, 4)} · Hits@1 ${fmt(t['hits@1'])} · Hits@10 ${fmt(t['hits@10'])} (filtered)` : 'no test triples: no test metrics'),
      el('p', { class: 'note' }, `${o.summary.model} d=${o.summary.dim}: ${o.epochs} epochs in ${fmt(o.seconds, 1)} s on ${fmt(o.triples.train)} train, ${fmt(o.triples.valid)} valid and ${fmt(o.triples.test)} test triples (${fmt(o.summary.entities)} entities; backend ${o.backend}, kernels in WebAssembly, one thread).`),
      el('ul', { class: 'note', id: 'train-data' }, ...o.data.map((line) => el('li', {}, line))),
      ...o.warnings.map((w) => el('p', { class: 'message wait' }, `warning: ${w}`)),
      el('p', { class: 'note' }, 'The model is now in the model picker of the first tab (it lives in this page).'),
    );
    const explore = el('button', { type: 'button', id: 'explore-trained' }, 'Explore this model');
    explore.addEventListener('click', () => byId('tab-explore').click());
    box.append(explore);
    box.hidden = false;
  }

  private error(message: string): void {
    const box = byId('train-error');
    box.textContent = message;
    box.hidden = false;
    byId('train-status').textContent = '';
  }
}
