/**
 * Uniform negative sampling (Bordes et al. 2013), the one place the draws are made, so that every step that
 * samples (the hybrid and the fused negative-sampling steps, distillation objectives) draws the same entities in
 * the same order from the run's seeded stream. Negatives are not filtered, as in Chami et al. 2020's code.
 */
import type { SeededRandom } from './random.js';

/**
 * Fills out [B × (1 + N)] row by row with the gold answer then N uniform entities. With `sharedAcross` = C > 1 the
 * queries of each run of C consecutive queries share one draw of N negatives (PyTorch-BigGraph's chunked negatives,
 * Lerer et al. 2019, §3.2): the same candidate rows for the whole chunk, so a large table's random rows are fetched
 * once per chunk instead of once per query.
 */
export function drawGoldFirst(answers: ArrayLike<number>, negatives: number, numEntities: number, rng: SeededRandom,
  out: Int32Array = new Int32Array(answers.length * (1 + negatives)), sharedAcross = 1): Int32Array {
  const M = 1 + negatives;
  for (let b = 0; b < answers.length; b++) {
    out[b * M] = answers[b]!;
    const first = b - (b % sharedAcross);
    if (first === b) rng.fillInts(out, numEntities, b * M + 1, (b + 1) * M);
    else out.copyWithin(b * M + 1, first * M + 1, (first + 1) * M);
  }
  return out;
}

/**
 * KGEmb's `--double_neg` draws: for each query b and each j < N a random head and a random tail, written at
 * index b·N + j of `entities` and `answers` (the relation is the query's, written to `relations` when given).
 */
export function drawDoubleNegatives(queryRelations: ArrayLike<number>, negatives: number, numEntities: number, rng: SeededRandom,
  entities: Int32Array, answers: Int32Array, relations?: Int32Array): void {
  for (let b = 0; b < queryRelations.length; b++) {
    for (let j = 0; j < negatives; j++) {
      const i = b * negatives + j;
      entities[i] = rng.int(numEntities);
      if (relations) relations[i] = queryRelations[b]!;
      answers[i] = rng.int(numEntities);
    }
  }
}
