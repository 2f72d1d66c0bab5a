/**
 * An entity field with suggestions as one types: after a short pause the model source's resolver (the server's,
 * or the in-page model's) lists close keys and names; arrow keys and Enter or a click pick one, Enter on the typed
 * text picks it as typed (an unknown name then gets suggestions from the query, not an error).
 */
import { QueryError } from './api-client.js';
import { clear, el, entityLabel, entityQuery } from './dom.js';
import type { EntityRef, SuggestResult } from './protocol.js';

/** Pause after the last keystroke before asking (ms). */
const DEBOUNCE_MS = 120;

/** Suggestions for an input field. */
export class EntitySearch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | undefined;
  private items: EntityRef[] = [];
  private active = -1;

  /**
   * `suggest` asks the current model (undefined: no model yet); `pick` receives the chosen text (an entity key, or
   * what was typed).
   */
  constructor(
    private readonly input: HTMLInputElement,
    private readonly list: HTMLUListElement,
    private readonly suggest: () => ((q: string, signal: AbortSignal) => Promise<SuggestResult>) | undefined,
    private readonly pick: (text: string) => void,
  ) {
    input.addEventListener('input', () => this.schedule());
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('blur', () => setTimeout(() => this.hide(), 150));
  }

  /** Sets the field's text without asking for suggestions. */
  set(text: string): void {
    this.input.value = text;
    this.hide();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    const q = this.input.value.trim();
    const ask = this.suggest();
    this.controller?.abort();
    if (q === '' || !ask) return this.hide();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const result = await ask(q, controller.signal);
      if (controller.signal.aborted || this.input.value.trim() !== q) return;
      this.show(result.suggestions);
    } catch (error) {
      if ((error as Error).name === 'AbortError' || controller.signal.aborted) return;
      this.show([], error instanceof QueryError ? error.message : String(error));
    }
  }

  private show(items: EntityRef[], problem?: string): void {
    this.items = items;
    this.active = -1;
    clear(this.list);
    if (problem) this.list.append(el('li', { class: 'problem' }, problem));
    else if (items.length === 0) this.list.append(el('li', { class: 'problem' }, 'no entity is close to that'));
    items.forEach((item, i) => {
      const li = el('li', { role: 'option', 'data-key': item.key, id: `suggestion-${i}` }, entityLabel(item));
      li.addEventListener('mousedown', (event) => {
        event.preventDefault();
        this.choose(i);
      });
      this.list.append(li);
    });
    this.list.hidden = false;
    this.input.removeAttribute('aria-activedescendant'); // no option is active in a new list
    this.input.setAttribute('aria-expanded', 'true');
  }

  private hide(): void {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant'); // it would point into a hidden list
    this.active = -1;
  }

  private choose(i: number): void {
    const item = this.items[i];
    if (!item) return;
    this.input.value = entityQuery(item);
    this.hide();
    this.pick(entityQuery(item));
  }

  private key(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (this.list.hidden || this.items.length === 0) return;
      event.preventDefault();
      const n = this.items.length;
      this.active = (this.active + (event.key === 'ArrowDown' ? 1 : n - 1) + (this.active < 0 && event.key === 'ArrowUp' ? 1 : 0)) % n;
      [...this.list.children].forEach((li, i) => li.classList.toggle('active', i === this.active));
      this.input.setAttribute('aria-activedescendant', `suggestion-${this.active}`);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(this.timer);
      this.controller?.abort();
      if (this.active >= 0 && !this.list.hidden) return this.choose(this.active);
      const text = this.input.value.trim();
      this.hide();
      if (text !== '') this.pick(text);
    } else if (event.key === 'Escape') {
      this.hide();
    }
  }
}
