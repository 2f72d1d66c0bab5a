/**
 * A distilled student beside its teachers on the same query: one row per model with where it puts the gold answer
 * (filtered and raw rank, score) and its top answers — the gold answer highlighted, answers the student shares
 * with a teacher marked — so one sees what the student learnt and where it still differs.
 */
import { clear, el, entityLabel, fmt } from './dom.js';
import type { Comparison } from './protocol.js';

/** How many answers of each model are listed. */
const SHOWN = 5;

/** Renders `comparison` into `container`. */
export function renderComparison(container: HTMLElement, comparison: Comparison): void {
  clear(container);
  const student = comparison.models.find((m) => m.role === 'student');
  const studentAnswers = new Set((student?.answers ?? []).slice(0, SHOWN).map((a) => a.id));
  const gold = comparison.gold;
  const query = comparison.direction === 'tails'
    ? `(${entityLabel(comparison.given)}, ${comparison.relation.key}, ?)`
    : `(?, ${comparison.relation.key}, ${entityLabel(comparison.given)})`;
  container.append(el('p', { class: 'note' }, `${query}${gold ? ` — gold answer ${entityLabel(gold)}` : ' — no gold answer given'}`));
  const table = el('table', { class: 'compare' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'model'), el('th', {}, 'gold rank (filtered / raw)'), el('th', {}, `top ${SHOWN} answers`))));
  const body = el('tbody');
  for (const m of comparison.models) {
    const row = el('tr', { class: m.role, 'data-model': m.name, 'data-status': m.status });
    row.append(el('td', {}, el('strong', {}, m.name), el('br'), `${m.role}${m.model ? ` · ${m.model} d=${m.dim}` : ''}`,
      ...(m.status === 'ready' && m.message ? [el('br'), el('small', { class: 'warning' }, m.message)] : [])));
    if (m.status !== 'ready') {
      row.append(el('td', { colspan: '2', class: 'note' }, m.message ?? m.status));
      body.append(row);
      continue;
    }
    const rank = m.gold;
    row.append(el('td', { class: 'num gold-rank', 'data-filtered': String(rank?.filtered ?? ''), 'data-raw': String(rank?.raw ?? '') },
      rank ? `${fmt(rank.filtered, 1)} / ${fmt(rank.raw, 1)}` : '–', rank ? el('br') : '', rank ? el('small', {}, `score ${fmt(rank.score, 3)}`) : ''));
    const list = el('ol', { class: 'answers' });
    for (const a of (m.answers ?? []).slice(0, SHOWN)) {
      const classes = [a.id === gold?.id ? 'gold' : '', a.known ? 'known' : '', m.role === 'teacher' && studentAnswers.has(a.id) ? 'shared' : ''].filter(Boolean).join(' ');
      list.append(el('li', { class: classes, 'data-id': String(a.id) }, `${entityLabel(a)} `, el('small', {}, fmt(a.score, 3))));
    }
    row.append(el('td', {}, list));
    body.append(row);
  }
  table.append(body);
  container.append(table, el('p', { class: 'note' }, 'bold: the gold answer · ✓: known true in train/valid/test · underlined: also in the student\'s top answers'));
}
