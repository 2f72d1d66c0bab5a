/**
 * The model picker: every checkpoint the server holds (GET /models — the ones still loading are listed, disabled,
 * and the page asks again until they are ready) and the models trained in this page. A server that needs an API
 * key gets the key field (api-client.ts keeps the key for this tab).
 */
import { api, apiKey, QueryError } from './api-client.js';
import { byId, el, sleep } from './dom.js';
import type { ModelSource } from './model-source.js';
import { ServerSource } from './server-source.js';
import { clearStatus, showStatus } from './status.js';

/** GET /models's answer (what the picker uses). */
interface ModelsAnswer {
  models: Array<{ name: string; model: string; dim: number }>;
  loading: string[];
}

/** How often the list is asked for again while models are loading (ms). */
const POLL_MS = 1500;

/** The picker's entry of an in-page model that is gone. */
const goneLabel = (source: ModelSource): string => `${source.name} (gone: trained again or stopped)`;

/** The picker over a <select>. */
export class ModelPicker {
  private readonly select = byId<HTMLSelectElement>('model-select');
  private readonly sources = new Map<string, ModelSource>();
  private readonly pageModels: Array<{ value: string; source: ModelSource }> = [];
  private polling = false;

  /** `choose` is called with the chosen model (also when the first model becomes available). */
  constructor(private readonly choose: (source: ModelSource) => void) {
    this.select.addEventListener('change', () => {
      const source = this.sources.get(this.select.value);
      if (source) this.choose(source);
    });
  }

  /** Asks the server for its models and fills the picker; keeps asking while some are loading. */
  async refresh(): Promise<void> {
    let answer: ModelsAnswer;
    try {
      answer = await api<ModelsAnswer>('/models');
    } catch (error) {
      if (error instanceof QueryError && error.status === 401) {
        byId('key-form').hidden = false;
        byId<HTMLInputElement>('key-input').focus();
        showStatus(apiKey() ? 'The server refused this API key: enter the right one above (it is kept in this tab only and sent with every request).'
          : 'This server needs an API key: enter it above (it is kept in this tab only and sent with every request).', 'error');
      } else {
        showStatus(error instanceof Error ? error.message : String(error), 'error');
      }
      this.fill([], []);
      return;
    }
    byId('key-form').hidden = true;
    this.fill(answer.models, answer.loading);
    if (answer.loading.length > 0) {
      showStatus(`The server is still loading ${answer.loading.join(', ')} (reading checkpoints and building neighbour indexes); they appear here when ready.`, 'wait');
      if (!this.polling) void this.poll();
    } else if (answer.models.length === 0 && this.pageModels.length === 0) {
      showStatus('The server serves no model: train one in this page (second tab), or start kgdistill serve with --checkpoint.', 'info');
    } else if (this.select.value === '') {
      clearStatus();
    }
  }

  /** Adds a model trained in this page and selects it. */
  addPageModel(source: ModelSource): void {
    const value = `page:${this.pageModels.length + 1}`;
    this.pageModels.push({ value, source });
    this.sources.set(value, source);
    this.select.append(el('option', { value }, source.name));
    this.select.value = value;
    this.choose(source);
  }

  /**
   * Marks the in-page models that are gone (disabled, said so); when the one shown is among them, the first model
   * still there is shown instead.
   */
  retireGone(): void {
    for (const option of this.select.options) {
      const page = this.pageModels.find((p) => p.value === option.value);
      if (!page?.source.gone || option.disabled) continue;
      option.disabled = true;
      option.textContent = goneLabel(page.source);
    }
    if (this.select.selectedOptions[0]?.disabled) this.showFirstAvailable();
  }

  /** Selects and shows the first model that is not disabled (none: the picker shows nothing). */
  private showFirstAvailable(): void {
    const first = [...this.select.options].find((o) => !o.disabled);
    this.select.value = first?.value ?? '';
    if (first) this.choose(this.sources.get(first.value)!);
  }

  private fill(models: ModelsAnswer['models'], loading: string[]): void {
    const before = this.select.value;
    this.select.replaceChildren();
    for (const m of models) {
      const value = `server:${m.name}`;
      if (!this.sources.has(value)) this.sources.set(value, new ServerSource(m.name));
      this.select.append(el('option', { value }, `${m.name} — ${m.model} d=${m.dim}`));
    }
    for (const name of loading) this.select.append(el('option', { value: `loading:${name}`, disabled: '' }, `${name} (loading on the server…)`));
    for (const p of this.pageModels) this.select.append(p.source.gone ? el('option', { value: p.value, disabled: '' }, goneLabel(p.source)) : el('option', { value: p.value }, p.source.name));
    const keep = [...this.select.options].some((o) => o.value === before && !o.disabled);
    if (keep) this.select.value = before;
    else this.showFirstAvailable();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      for (;;) {
        await sleep(POLL_MS);
        const answer = await api<ModelsAnswer>('/models').catch(() => undefined);
        if (!answer) continue;
        if (answer.loading.length === 0) {
          clearStatus();
          this.fill(answer.models, []);
          return;
        }
        this.fill(answer.models, answer.loading);
      }
    } finally {
      this.polling = false;
    }
  }
}
