/**
 * Benchmark of filteredRanks at FB15k-237 test scale: 40,932 queries (20,466 triples × 2 directions) ranked
 * against 14,541 entities, in batches of the evaluator's default size, with ~20 known answers per query.
 * Only the ranking is timed; random score batches are generated once and reused.
 *
 * Usage: node dist/bench/eval-ranks.js [queries] [entities]
 */
import { mulberry32 } from '../src/core/random.js';
import { filteredRanks, type KnownAnswers } from '../src/eval/ranks.js';
import { defaultBatchSize } from '../src/eval/evaluate.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);
const { positionals } = benchArgs('eval-ranks', { flags: {}, positionals: { usage: '[queries] [entities]', max: 2, min: 1 } });


/** Known answers of query q stored as a sorted list; the bench uses the query index as its entity id. */
class ListKnownAnswers implements KnownAnswers {
  constructor(private readonly lists: Int32Array[]) {}
  answers(entity: number): Int32Array {
    return this.lists[entity];
  }
}

/** Runs the benchmark and prints the seconds spent in filteredRanks. */
function main(): void {
  const numQueries = Number(positionals[0] ?? 40_932);
  const numEntities = Number(positionals[1] ?? 14_541);
  const batchSize = defaultBatchSize(numEntities);
  const random = mulberry32(42);

  const scoreBatches = [0, 1].map(() => {
    const scores = new Float32Array(batchSize * numEntities);
    for (let i = 0; i < scores.length; i++) scores[i] = random() * 2 - 1;
    return scores;
  });
  const gold = new Int32Array(numQueries);
  const lists: Int32Array[] = [];
  let knownTotal = 0;
  for (let q = 0; q < numQueries; q++) {
    gold[q] = Math.floor(random() * numEntities);
    const size = Math.min(Math.floor(random() * 40), numEntities - 1); // mean ~20 other answers (fewer on a tiny graph: it hung below 40 entities)
    const set = new Set<number>([gold[q]]);
    while (set.size < size + 1) set.add(Math.floor(random() * numEntities));
    lists.push(Int32Array.from(set).sort());
    knownTotal += set.size;
  }
  const known = new ListKnownAnswers(lists);
  const queryIds = Int32Array.from({ length: numQueries }, (_, q) => q);
  const queryRelations = new Int32Array(numQueries);
  const out = { filtered: new Float64Array(numQueries), raw: new Float64Array(numQueries) };

  const start = performance.now();
  for (let s = 0, b = 0; s < numQueries; s += batchSize, b++) {
    const end = Math.min(numQueries, s + batchSize);
    filteredRanks(
      scoreBatches[b % 2],
      numEntities,
      queryIds.subarray(s, end),
      queryRelations.subarray(s, end),
      gold.subarray(s, end),
      known,
      out,
      s,
    );
  }
  const seconds = (performance.now() - start) / 1000;

  let mrr = 0;
  for (let q = 0; q < numQueries; q++) mrr += 1 / out.filtered[q];
  console.log(
    JSON.stringify({
      bench: 'eval-ranks',
      queries: numQueries,
      entities: numEntities,
      batchSize,
      meanKnownAnswers: knownTotal / numQueries,
      seconds: Number(seconds.toFixed(3)),
      nsPerScore: Number(((seconds * 1e9) / (numQueries * numEntities)).toFixed(3)),
      checkMrr: Number((mrr / numQueries).toFixed(6)),
    }),
  );
}

main();
