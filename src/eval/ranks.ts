/**
 * Raw and filtered ranks of gold answers in all-entity score matrices.
 *
 * Ties: rank = 1 + #{candidates scoring above the gold} + #{other candidates scoring equal to the gold} / 2 (PyKEEN's
 * 'realistic' rank, the expectation over random tie-breaking),
 * i.e. the mean of the optimistic rank (gold placed first among its ties) and the pessimistic rank (placed last).
 *
 * Filtered setting (Bordes et al. 2013): every other known-true answer of the query (over train, valid and test)
 * is removed from the candidates before ranking; the gold answer itself is never removed.
 *
 * NaN: a NaN candidate score counts as worse than every number, so it never outranks or ties with the gold.
 * A NaN gold score gets the worst rank of its candidate set: numEntities raw, and numEntities minus the number
 * of removed known-true answers filtered (the gold ranked last, behind every remaining candidate).
 */

/** Known-true answers of a query (entity, queryRelation), e.g. a filter index over train + valid + test. */
export interface KnownAnswers {
  /** Ascending known-true answers of the query; may include the gold answer being ranked. */
  answers(entity: number, queryRelation: number): Int32Array;
}

/** Destination of per-row ranks written by {@link filteredRanks}. */
export interface RankOutput {
  filtered: Float64Array;
  raw: Float64Array;
  /** Filtered ranks with the gold placed first among its ties (PyKEEN's optimistic rank), when given. */
  filteredOptimistic?: Float64Array;
  /** Filtered ranks with the gold placed last among its ties (the papers' code: rank = 1 + #{s ≥ gold} − 1), when given. */
  filteredPessimistic?: Float64Array;
}

const EMPTY_ANSWERS = new Int32Array(0);

/** Writes the tie-averaged raw and filtered rank of each row's gold answer to out.raw / out.filtered at offset + row. */
export function filteredRanks(
  scores: Float32Array,
  numEntities: number,
  entities: Int32Array,
  queryRelations: Int32Array,
  gold: Int32Array,
  known: KnownAnswers | null,
  out: RankOutput,
  offset = 0,
): void {
  const rows = gold.length;
  if (!Number.isInteger(numEntities) || numEntities < 1) {
    throw new RangeError(`numEntities must be a positive integer, got ${numEntities}`);
  }
  if (entities.length !== rows || queryRelations.length !== rows) {
    throw new RangeError(
      `entities (${entities.length}), queryRelations (${queryRelations.length}) and gold (${rows}) differ in length`,
    );
  }
  if (scores.length < rows * numEntities) {
    throw new RangeError(`scores hold ${scores.length} values, need ${rows} × ${numEntities}`);
  }
  if (offset < 0 || offset + rows > out.raw.length || offset + rows > out.filtered.length) {
    throw new RangeError(`rows [${offset}, ${offset + rows}) do not fit the output arrays`);
  }

  for (let row = 0; row < rows; row++) {
    const goldEntity = gold[row];
    if (goldEntity < 0 || goldEntity >= numEntities) {
      throw new RangeError(`gold answer ${goldEntity} of row ${row} is outside [0, ${numEntities})`);
    }
    const base = row * numEntities;
    const goldScore = scores[base + goldEntity];
    const answers = known === null ? EMPTY_ANSWERS : known.answers(entities[row], queryRelations[row]);

    if (goldScore !== goldScore) {
      // NaN gold: worst rank among the candidates that remain.
      out.raw[offset + row] = numEntities;
      out.filtered[offset + row] = numEntities - countOtherAnswers(answers, goldEntity, numEntities);
      if (out.filteredOptimistic) out.filteredOptimistic[offset + row] = out.filtered[offset + row];
      if (out.filteredPessimistic) out.filteredPessimistic[offset + row] = out.filtered[offset + row];
      continue;
    }

    // One pass over the row. NaN candidates fail both comparisons, so they count as worse than the gold.
    // The gold itself is counted in `equal` (goldScore === goldScore), hence the -1 below.
    // `greater` is counted without a branch (s > goldScore is unpredictable: ~3.5x faster on random scores);
    // the equality branch is almost always false (or, for constant scores, always true), so it predicts well.
    let greater = 0;
    let equal = 0;
    const end = base + numEntities;
    for (let j = base; j < end; j++) {
      const s = scores[j];
      greater += +(s > goldScore);
      if (s === goldScore) equal++;
    }
    equal -= 1;
    out.raw[offset + row] = 1 + greater + equal / 2;

    // Filtered correction: walk only the known answers and take the ones above or tied with the gold back out.
    let filteredGreater = greater;
    let filteredEqual = equal;
    let previous = -1;
    for (let k = 0; k < answers.length; k++) {
      const answer = answers[k];
      if (answer === previous || answer === goldEntity || answer < 0 || answer >= numEntities) continue;
      previous = answer;
      const s = scores[base + answer];
      if (s > goldScore) filteredGreater--;
      else if (s === goldScore) filteredEqual--;
    }
    out.filtered[offset + row] = 1 + filteredGreater + filteredEqual / 2;
    if (out.filteredOptimistic) out.filteredOptimistic[offset + row] = 1 + filteredGreater;
    if (out.filteredPessimistic) out.filteredPessimistic[offset + row] = 1 + filteredGreater + filteredEqual;
  }
}

/** Number of distinct in-range answers other than the gold in an ascending answer list. */
function countOtherAnswers(answers: Int32Array, goldEntity: number, numEntities: number): number {
  let count = 0;
  let previous = -1;
  for (let k = 0; k < answers.length; k++) {
    const answer = answers[k];
    if (answer === previous || answer === goldEntity || answer < 0 || answer >= numEntities) continue;
    previous = answer;
    count++;
  }
  return count;
}
