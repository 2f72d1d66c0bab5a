import { describe, expect, it } from 'vitest';
import type { RelationCategory } from '../../src/kg/types.js';
import {
  defaultBatchSize,
  evaluateLinkPrediction,
  MAX_BATCH_SCORES,
  RankMetrics,
  type AllEntityScorer,
  type EvaluationReport,
  type KnownAnswers,
  type LinkPredictionMetrics,
} from '../../src/eval/index.js';
import { evaluationSummary } from '../../src/eval/evaluate.js';
import { formatEvaluation } from '../../src/cli/report-format.js';

/** Fake model: a fixed score table indexed by (queryRelation, entity, candidate); records every call. */
class TableScorer implements AllEntityScorer {
  readonly calls: { entities: number[]; queryRelations: number[] }[] = [];
  constructor(
    readonly numEntities: number,
    private readonly table: (entity: number, queryRelation: number) => number[],
  ) {}
  async scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array> {
    this.calls.push({ entities: Array.from(entities), queryRelations: Array.from(queryRelations) });
    const out = new Float32Array(entities.length * this.numEntities);
    for (let row = 0; row < entities.length; row++) {
      out.set(this.table(entities[row], queryRelations[row]), row * this.numEntities);
    }
    return out;
  }
}

/** Stand-in for the filter index: known answers of (entity, queryRelation) from triples with reciprocals. */
class MapKnownAnswers implements KnownAnswers {
  private readonly map = new Map<string, Int32Array>();
  constructor(triples: number[], numRelations: number) {
    const sets = new Map<string, Set<number>>();
    const add = (e: number, q: number, a: number) => {
      const key = `${e},${q}`;
      if (!sets.has(key)) sets.set(key, new Set());
      sets.get(key)!.add(a);
    };
    for (let i = 0; i < triples.length; i += 3) {
      add(triples[i], triples[i + 1], triples[i + 2]);
      add(triples[i + 2], triples[i + 1] + numRelations, triples[i]);
    }
    for (const [key, set] of sets) this.map.set(key, Int32Array.from(set).sort());
  }
  answers(entity: number, queryRelation: number): Int32Array {
    return this.map.get(`${entity},${queryRelation}`) ?? new Int32Array(0);
  }
}

/** Deterministic PRNG (mulberry32) in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference rank by definition: mean of optimistic and pessimistic rank over the candidate set. */
function referenceRank(scores: number[], gold: number, excluded: Set<number>): number {
  const g = scores[gold];
  let optimistic = 1;
  let pessimistic = 0;
  scores.forEach((s, c) => {
    if (c !== gold && excluded.has(c)) return;
    if (c !== gold && s > g) optimistic++;
    if (s >= g) pessimistic++;
  });
  return (optimistic + pessimistic) / 2;
}

function metricsOf(ranks: number[]): LinkPredictionMetrics {
  const m = new RankMetrics();
  m.addAll(ranks);
  return m.result();
}

function withoutSeconds(report: EvaluationReport): Omit<EvaluationReport, 'seconds'> {
  const { seconds, ...rest } = report;
  expect(seconds).toBeGreaterThanOrEqual(0);
  return rest;
}

describe('evaluateLinkPrediction: hand-computed', () => {
  // 4 entities, 1 relation. Test triple (0, r0, 1); train triples (0, r0, 2) and (3, r0, 1).
  const test = Int32Array.from([0, 0, 1]);
  const known = new MapKnownAnswers([0, 0, 1, 0, 0, 2, 3, 0, 1], 1);
  const rows: Record<string, number[]> = {
    '0,0': [0, 5, 9, 5], // tail query (0, r0), gold 1 (score 5)
    '1,1': [4, 2, 1, 8], // head query (1, r0⁻¹ = 1), gold 0 (score 4)
  };
  const scorer = () => new TableScorer(4, (e, q) => rows[`${e},${q}`]);

  it('ranks the tail query (h, r) and the head query (t, r + R) and reports both directions', async () => {
    const s = scorer();
    const report = await evaluateLinkPrediction(s, test, 1, known);
    expect(s.calls).toEqual([{ entities: [0, 1], queryRelations: [0, 1] }]);
    // Tail: raw = 1 + #{9} + #{entity 3 tied at 5}/2 = 2.5; filtered drops known tail 2 (score 9) → 1 + 0 + 1/2 = 1.5
    expect(report.byDirection.tail.raw.mr).toBe(2.5);
    expect(report.byDirection.tail.filtered.mr).toBe(1.5);
    expect(report.byDirection.tail.filtered.mrr).toBeCloseTo(2 / 3, 12);
    // Head: raw = 1 + #{8} = 2; filtered drops known head 3 (score 8) → 1
    expect(report.byDirection.head.raw.mr).toBe(2);
    expect(report.byDirection.head.filtered).toEqual(metricsOf([1]));
    // Both directions: filtered MRR = (1/1.5 + 1/1)/2 = 5/6, MR = (1.5 + 1)/2 = 1.25, Hits@1 = 1/2
    expect(report.filtered.count).toBe(2);
    expect(report.filtered.mrr).toBeCloseTo(5 / 6, 12);
    expect(report.filtered.mr).toBe(1.25);
    expect(report.filtered['hits@1']).toBe(0.5);
    expect(report.filtered['hits@3']).toBe(1);
    // Raw MRR = (1/2.5 + 1/2)/2 = 0.45, MR = 2.25, Hits@1 = 0
    expect(report.raw.mrr).toBeCloseTo(0.45, 12);
    expect(report.raw.mr).toBe(2.25);
    expect(report.raw['hits@1']).toBe(0);
    expect(report.ties).toBe('mean of optimistic and pessimistic rank');
    expect(report.byCategory).toBeUndefined();
    expect(report.byRelation).toBeUndefined();
  });

  it('reports the filtered metrics under the three tie rules (PyKEEN: optimistic, realistic, pessimistic)', async () => {
    const report = await evaluateLinkPrediction(scorer(), test, 1, known);
    // Tail: gold tied with entity 3 after filtering → optimistic 1, pessimistic 2 (realistic 1.5); head: 1 under every rule.
    expect(report.tieRules.optimistic).toEqual(metricsOf([1, 1]));
    expect(report.tieRules.pessimistic).toEqual(metricsOf([2, 1]));
    expect(report.tieRules.realistic).toEqual(report.filtered);
    expect(report.tieRules.pessimistic.mrr).toBeCloseTo(0.75, 12);
  });
});

describe('evaluateLinkPrediction: batching, categories, relations', () => {
  const numEntities = 7;
  const numRelations = 3;
  const random = prng(7);
  // Scores from {0, 1, 2, 3} so that ties are frequent.
  const table = new Map<string, number[]>();
  for (let e = 0; e < numEntities; e++) {
    for (let q = 0; q < 2 * numRelations; q++) {
      table.set(`${e},${q}`, Array.from({ length: numEntities }, () => Math.floor(random() * 4)));
    }
  }
  const triple = () => [Math.floor(random() * 7), Math.floor(random() * 3), Math.floor(random() * 7)];
  const train = Array.from({ length: 15 }, triple).flat();
  const test = Int32Array.from(Array.from({ length: 10 }, triple).flat());
  const known = new MapKnownAnswers([...train, ...test], numRelations);
  const categories: RelationCategory[] = ['1-1', '1-N', 'N-N'];
  const makeScorer = () => new TableScorer(numEntities, (e, q) => table.get(`${e},${q}`)!);

  // Reference ranks by definition, per triple: [tailFiltered, tailRaw, headFiltered, headRaw].
  const reference = Array.from({ length: 10 }, (_, i) => {
    const [h, r, t] = test.subarray(3 * i, 3 * i + 3);
    const tailScores = table.get(`${h},${r}`)!;
    const headScores = table.get(`${t},${r + numRelations}`)!;
    return {
      r,
      tailFiltered: referenceRank(tailScores, t, new Set(known.answers(h, r))),
      tailRaw: referenceRank(tailScores, t, new Set()),
      headFiltered: referenceRank(headScores, h, new Set(known.answers(t, r + numRelations))),
      headRaw: referenceRank(headScores, h, new Set()),
    };
  });

  it('matches the reference ranks, and batch sizes 1, 3 and 1000 give identical reports', async () => {
    const reports: Omit<EvaluationReport, 'seconds'>[] = [];
    for (const batchSize of [1, 3, 1000]) {
      const scorer = makeScorer();
      const progress: [number, number][] = [];
      const report = await evaluateLinkPrediction(scorer, test, numRelations, known, {
        batchSize,
        categories,
        byRelation: true,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(scorer.calls.length).toBe(Math.ceil(20 / batchSize));
      expect(scorer.calls.every((c) => c.entities.length <= batchSize)).toBe(true);
      expect(progress.at(-1)).toEqual([20, 20]);
      expect(progress.length).toBe(scorer.calls.length);
      // Queries are interleaved per triple: tail (h, r), then head (t, r + R).
      const queried = scorer.calls.flatMap((c) => c.entities.map((e, k) => [e, c.queryRelations[k]]));
      const expectedQueries = reference.flatMap((_, i) => {
        const [h, r, t] = test.subarray(3 * i, 3 * i + 3);
        return [
          [h, r],
          [t, r + numRelations],
        ];
      });
      expect(queried).toEqual(expectedQueries);
      reports.push(withoutSeconds(report));
    }
    expect(reports[1]).toEqual(reports[0]);
    expect(reports[2]).toEqual(reports[0]);

    const report = reports[0];
    expect(report.byDirection.tail.filtered).toEqual(metricsOf(reference.map((x) => x.tailFiltered)));
    expect(report.byDirection.tail.raw).toEqual(metricsOf(reference.map((x) => x.tailRaw)));
    expect(report.byDirection.head.filtered).toEqual(metricsOf(reference.map((x) => x.headFiltered)));
    expect(report.byDirection.head.raw).toEqual(metricsOf(reference.map((x) => x.headRaw)));
    expect(report.filtered.count).toBe(20);
    expect(report.filtered.mr).toBeCloseTo(
      reference.reduce((sum, x) => sum + x.tailFiltered + x.headFiltered, 0) / 20,
      12,
    );
    expect(report.raw.mr).toBeCloseTo(reference.reduce((sum, x) => sum + x.tailRaw + x.headRaw, 0) / 20, 12);
    // Filtering can only improve a rank.
    expect(report.filtered.mr).toBeLessThanOrEqual(report.raw.mr);
  });

  it('breaks the filtered metrics down by relation category and by relation', async () => {
    const report = await evaluateLinkPrediction(makeScorer(), test, numRelations, known, {
      categories,
      byRelation: true,
    });
    categories.forEach((category, r) => {
      const ofRelation = reference.filter((x) => x.r === r);
      const expected = {
        tail: metricsOf(ofRelation.map((x) => x.tailFiltered)),
        head: metricsOf(ofRelation.map((x) => x.headFiltered)),
      };
      expect(report.byCategory![category]).toEqual(expected);
      expect(report.byRelation![r]).toEqual(expected);
    });
    // No relation is N-1: an empty group with count 0.
    expect(report.byCategory!['N-1'].tail.count).toBe(0);
    expect(Object.keys(report.byCategory!).sort()).toEqual(['1-1', '1-N', 'N-1', 'N-N']);
    expect(report.uncategorizedQueries).toBeUndefined();
  });

  it('leaves the queries of a relation without category out of the categories, and counts them', async () => {
    const report = await evaluateLinkPrediction(makeScorer(), test, numRelations, known, {
      categories: ['1-1', null, 'N-N'],
    });
    const ofRelation1 = reference.filter((x) => x.r === 1).length;
    expect(ofRelation1).toBeGreaterThan(0);
    expect(report.uncategorizedQueries).toBe(2 * ofRelation1);
    expect(report.byCategory!['1-N'].tail.count + report.byCategory!['1-N'].head.count).toBe(0);
    const counted = Object.values(report.byCategory!).reduce((sum, m) => sum + m.tail.count + m.head.count, 0);
    expect(counted).toBe(20 - 2 * ofRelation1);
    expect(evaluationSummary(report).uncategorizedQueries).toBe(2 * ofRelation1);
    expect(formatEvaluation(report)).toContain(`${2 * ofRelation1} queries are in no category`);
  });

  it('rejects bad inputs', async () => {
    const scorer = makeScorer();
    await expect(evaluateLinkPrediction(scorer, Int32Array.from([0, 3, 1]), numRelations, known)).rejects.toThrow(
      RangeError,
    );
    await expect(evaluateLinkPrediction(scorer, Int32Array.from([0, 0, 7]), numRelations, known)).rejects.toThrow(
      RangeError,
    );
    await expect(evaluateLinkPrediction(scorer, test, numRelations, known, { batchSize: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      evaluateLinkPrediction(scorer, test, numRelations, known, { categories: ['1-1'] }),
    ).rejects.toThrow(RangeError);
    const short: AllEntityScorer = { numEntities, scoreAll: async () => new Float32Array(3) };
    await expect(evaluateLinkPrediction(short, test, numRelations, known)).rejects.toThrow(/scoreAll returned/);
  });

  it('handles an empty triple set', async () => {
    const scorer = makeScorer();
    const report = await evaluateLinkPrediction(scorer, new Int32Array(0), numRelations, known);
    expect(scorer.calls.length).toBe(0);
    expect(report.filtered.count).toBe(0);
  });
});

describe('defaultBatchSize', () => {
  it('bounds one batch of scores by MAX_BATCH_SCORES floats', () => {
    expect(defaultBatchSize(14_541)).toBe(Math.floor(MAX_BATCH_SCORES / 14_541));
    expect(defaultBatchSize(14_541) * 14_541).toBeLessThanOrEqual(MAX_BATCH_SCORES);
    expect(defaultBatchSize(MAX_BATCH_SCORES * 2)).toBe(1);
  });
});

describe('evaluateLinkPrediction: a long evaluation lets the event loop run', () => {
  it('a timer set before it fires while batches remain (Ctrl-C and worker messages are seen during it)', async () => {
    let fired = false;
    const seenAt: boolean[] = [];
    /** A slow model: 60 ms of work a batch; notes, per batch, whether the timer has fired. */
    const slow: AllEntityScorer = {
      numEntities: 4,
      async scoreAll(entities: Int32Array): Promise<Float32Array> {
        seenAt.push(fired);
        const until = performance.now() + 60;
        while (performance.now() < until) { /* busy, as a kernel sweep is */ }
        return new Float32Array(entities.length * 4).fill(1);
      },
    };
    const triples = Int32Array.from({ length: 3 * 10 }, (_, i) => (i % 3 === 1 ? 0 : i % 4));
    setTimeout(() => { fired = true; }, 0);
    await evaluateLinkPrediction(slow, triples, 1, { answers: () => new Int32Array(0) }, { batchSize: 2 }); // 10 batches, 0.6 s
    expect(seenAt).toHaveLength(10);
    expect(seenAt.indexOf(true)).toBeGreaterThan(0); // the first slice runs ~200 ms before yielding
    expect(seenAt.indexOf(true)).toBeLessThan(7);
  });
});
