/** Small DOM helpers of the explorer page (no framework): elements, text, numbers and entity labels. */
import type { EntityRef } from './protocol.js';

/** The element with `id` (throws when the page lacks it: a broken page should fail loudly in tests). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`explorer: the page has no #${id}`);
  return found as T;
}

/** A new element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/** Removes every child of `node`. */
export function clear(node: Element): void {
  node.replaceChildren();
}

/** A number with `digits` significant decimals (integers as they are; thousands separated). */
export function fmt(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(digits);
}

/** How an entity is shown: its readable name with the key, or the key alone. */
export function entityLabel(ref: EntityRef): string {
  return ref.name !== undefined && ref.name !== ref.key ? `${ref.name} (${ref.key})` : ref.key;
}

/** The text to send for an entity: its key (names may be shared, keys are not). */
export function entityQuery(ref: EntityRef): string {
  return ref.key;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
