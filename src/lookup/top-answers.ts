/**
 * The top-k answers of one query (entity, query relation) by the model's score over all entities, with the
 * known-true answers (train/valid/test) either marked or — filtered — left out: the kernel sweep looks for k more
 * than asked when filtering, so that k answers remain. Shared by the service's lookups and the explorer's
 * in-page model.
 */
import type { KnownAnswers } from '../eval/ranks.js';
import type { KernelSearch, Ranked } from './kernel-search.js';

/** One answer: entity id, model score, and whether it is known true (when the known triples are at hand). */
export interface ScoredAnswer {
  id: number;
  score: number;
  known?: boolean;
}

/** How many answers `topAnswers` takes from the sweep: k, and when filtering as many more as there are known answers. */
export function sweptAnswers(search: KernelSearch, known: KnownAnswers | undefined, entity: number, queryRelation: number, k: number, filtered: boolean): number {
  const excluded = filtered ? known?.answers(entity, queryRelation).length ?? 0 : 0;
  return Math.min(search.count, k + excluded);
}

/** The k best answers of (entity, queryRelation); `filtered` leaves the known-true ones out (needs `known`). */
export function topAnswers(search: KernelSearch, known: KnownAnswers | undefined, entity: number, queryRelation: number, k: number, filtered: boolean): ScoredAnswer[] {
  const found = search.predict(entity, queryRelation, sweptAnswers(search, known, entity, queryRelation, k, filtered));
  return pickAnswers(found, known, entity, queryRelation, k, filtered);
}

/** The k answers kept from a sweep of at least `sweptAnswers` entities: marked known or, filtered, without the known ones. */
export function pickAnswers(found: Ranked, known: KnownAnswers | undefined, entity: number, queryRelation: number, k: number, filtered: boolean): ScoredAnswer[] {
  const knownSet = new Set(known?.answers(entity, queryRelation) ?? []);
  const answers: ScoredAnswer[] = [];
  for (let i = 0; i < found.ids.length && answers.length < k; i++) {
    const id = found.ids[i]!;
    if (filtered && knownSet.has(id)) continue;
    answers.push({ id, score: found.values[i]!, ...(known ? { known: knownSet.has(id) } : {}) });
  }
  return answers;
}
