/**
 * The nearest-entities and link-prediction tables: rank, entity (a link to explore it), the true distance or
 * similarity, the model's score, and a mark on answers that are known true in train, valid or test.
 */
import { clear, el, entityLabel, entityQuery, fmt } from './dom.js';
import type { NeighborsResult, PredictResult } from './protocol.js';

/** A header row of column names. */
function header(table: HTMLTableElement, names: string[]): void {
  const head = table.tHead ?? table.createTHead();
  clear(head);
  head.append(el('tr', {}, ...names.map((n) => el('th', {}, n))));
}

/** An entity cell: a button that explores the entity. */
function entityCell(ref: { id: number; key: string; name?: string }, pick: (text: string) => void): HTMLTableCellElement {
  const button = el('button', { type: 'button', class: 'entity', 'data-key': ref.key, title: `id ${ref.id}` }, entityLabel(ref));
  button.addEventListener('click', () => pick(entityQuery(ref)));
  return el('td', {}, button);
}

/** Fills the neighbours table. */
export function renderNeighbors(table: HTMLTableElement, result: NeighborsResult, pick: (text: string) => void): void {
  const dot = result.metric === 'dot';
  const measure = { dot: 'similarity (inner product)', poincare: 'Poincaré distance (c = 1)', l1: 'L1 distance', 'complex-l1': 'L1 distance of complex moduli', euclidean: 'Euclidean distance' }[result.metric];
  header(table, ['#', 'entity', measure]);
  const body = table.tBodies[0] ?? table.createTBody();
  clear(body);
  for (const n of result.neighbors) {
    const value = dot ? n.similarity : n.distance;
    body.append(el('tr', { 'data-id': String(n.id) }, el('td', {}, String(n.rank)), entityCell(n, pick), el('td', { class: 'num', 'data-value': String(value) }, fmt(value, 4))));
  }
}

/** Fills the predictions table. */
export function renderPredictions(table: HTMLTableElement, result: PredictResult, pick: (text: string) => void): void {
  header(table, ['#', result.direction === 'tails' ? 'tail' : 'head', 'score', 'known']);
  const body = table.tBodies[0] ?? table.createTBody();
  clear(body);
  for (const a of result.answers) {
    const known = a.known === true;
    body.append(el('tr', { 'data-id': String(a.id), class: known ? 'known' : '' },
      el('td', {}, String(a.rank)), entityCell(a, pick), el('td', { class: 'num', 'data-value': String(a.score) }, fmt(a.score, 4)),
      el('td', { class: 'known-mark', title: known ? 'in train, valid or test' : '' }, a.known === undefined ? '?' : known ? '✓ known' : '')));
  }
}

/** Empties a table with a one-cell message. */
export function emptyTable(table: HTMLTableElement, message: string): void {
  const head = table.tHead ?? table.createTHead();
  clear(head);
  const body = table.tBodies[0] ?? table.createTBody();
  clear(body);
  if (message) body.append(el('tr', {}, el('td', { class: 'note' }, message)));
}
