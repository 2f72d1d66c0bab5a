// The public types of the package entry describe what the functions give at run time, exactly: the type checks below
// are compiled by `tsc -p tsconfig.check.json` (a `@ts-expect-error` that no longer errs fails it); the run-time
// checks compare the keys of real results (a tiny trained run, a full and a sampled evaluation) with the types' keys.
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  distill, evaluate, openModel, splitTriples, syntheticGraph, train, writeSyntheticDataset,
  type DistillOptions, type DistillResult, type EntityRef, type EvaluateResult, type EvaluationReport, type FetchInterruptedError,
  type FullSummaryMetrics, type ModelEmbeddings, type ModelInfo, type OpenedModel, type OpenModelOptions, type OptionNaming,
  type PredictQuery, type RunSummary, type SampledEvaluationReport, type SampledSummaryMetrics, type SummaryMetrics,
  type TrainOptions, type TrainResult, type Vocabulary, type KgDataset,
} from '../../src/index.js';

/** The type checks: never called, only compiled. */
async function typeChecks(m: OpenedModel, r: TrainResult, e: EvaluateResult): Promise<void> {
  // §4: a query names head or tail, not both (the run time refuses both with a LookupError)
  // @ts-expect-error both head and tail
  await m.predict({ head: 'a', relation: 'r', tail: 'b' });
  // @ts-expect-error neither head nor tail
  await m.predict({ relation: 'r' });
  await m.predict({ head: 'a', relation: 'r' });
  await m.predict({ relation: 0, tail: 3 });
  const q: PredictQuery = Math.random() < 0.5 ? { head: 'a', relation: 'r' } : { relation: 'r', tail: 'b' };
  await m.predict(q, 5, { filtered: true });

  // §3: the metrics and the summary have exact keys
  // @ts-expect-error no such metric
  void r.metrics?.['hits@5'];
  // @ts-expect-error a misspelt summary field
  void r.summary.bestEpch;
  expectTypeOf(r.metrics).toEqualTypeOf<SummaryMetrics | undefined>();
  expectTypeOf(r.metrics!.mrr).toEqualTypeOf<number>();
  expectTypeOf(r.summary.bestEpoch).toEqualTypeOf<number>();
  expectTypeOf(r.summary.bestValidMrr).toEqualTypeOf<number | null>();
  if (r.metrics && r.metrics.protocol === undefined) {
    expectTypeOf(r.metrics).toEqualTypeOf<FullSummaryMetrics>();
    expectTypeOf(r.metrics.tieRules.optimistic.mrr).toEqualTypeOf<number>();
    expectTypeOf(r.metrics.byDirection.tail.raw['hits@10']).toEqualTypeOf<number>();
  }
  if (e.sampled) {
    expectTypeOf(e.metrics).toEqualTypeOf<SampledSummaryMetrics>();
    expectTypeOf(e.metrics.protocol).toEqualTypeOf<string>();
  } else {
    expectTypeOf(e.report).toEqualTypeOf<EvaluationReport>();
  }
  expectTypeOf<RunSummary>().not.toHaveProperty('mrr');
  // TrainResult.metrics holds only metrics (at run time too: see below)
  // @ts-expect-error the summary is not in the metrics
  void r.metrics?.bestEpoch;
  const d: DistillResult = await distill({ dataset: 'x', teachers: ['a'] });
  expectTypeOf(d.summary.topK).toEqualTypeOf<number>();

  // info() and embeddings() are typed
  const info = m.info();
  expectTypeOf(info).toEqualTypeOf<ModelInfo>();
  const dim: number = info.dim;
  const relations: string[] = info.relations;
  // @ts-expect-error no such field
  void info.dimension;
  expectTypeOf(m.embeddings()).toEqualTypeOf<ModelEmbeddings>();
  expectTypeOf(m.embeddings().tables['entity']!.values).toEqualTypeOf<Float32Array>();
  void dim; void relations;

  // §5: the generated graph goes into splitTriples as it is
  splitTriples(syntheticGraph().train);
  expectTypeOf(syntheticGraph().train[0]!).toEqualTypeOf<[head: string, relation: string, tail: string]>();

  // §11: readonly teachers are accepted; a misspelt option key is not
  const teachers = ['runs/a', 'runs/b'] as const;
  await distill({ dataset: 'x', teachers });
  // @ts-expect-error an unknown key
  await train({ dataset: 'x', epoch: 3 });
  // @ts-expect-error a value of the wrong type
  await train({ dataset: 'x', loss: 'hinge' });
  // @ts-expect-error teachers are required
  await distill({ dataset: 'x' });
  expectTypeOf<TrainOptions['dim']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<DistillOptions['teachers']>().toEqualTypeOf<readonly string[]>();

  // §10: the types a caller names
  const options: OpenModelOptions = { last: true, backend: 'wasm' };
  // @ts-expect-error an unknown openModel key
  await openModel('x', { lst: true });
  const answer: EntityRef = (await m.predict({ head: 0, relation: 0 })).answers[0]!;
  const naming: OptionNaming = 'key';
  type Entities = KgDataset['entities'];
  expectTypeOf<Entities>().toEqualTypeOf<Vocabulary>();
  expectTypeOf<FetchInterruptedError>().toHaveProperty('dataset');
  expectTypeOf<NonNullable<EvaluateResult['sampled']>>().toEqualTypeOf<SampledEvaluationReport>();
  void options; void answer; void naming;
}
void typeChecks;

/** The keys of an object, sorted. */
const keys = (o: object): string[] => Object.keys(o).sort();

describe('the public result types match the run-time objects', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-public-types-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('train: metrics are only the test metrics, the summary and info() have the typed keys', async () => {
    const graph = await writeSyntheticDataset(path.join(dir, 'graph'), { entities: 40, seed: 2 });
    const run = await train({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, out: path.join(dir, 'run') });
    try {
      const full: Record<keyof FullSummaryMetrics, true> = { mrr: true, 'hits@1': true, 'hits@3': true, 'hits@10': true, mr: true, queries: true, evalSeconds: true,
        raw: true, byDirection: true, byCategory: true, uncategorizedQueries: true, ties: true, tieRules: true, protocol: true };
      const optionalFull = ['uncategorizedQueries', 'protocol', 'byCategory'];
      expect(keys(run.metrics!).filter((k) => !optionalFull.includes(k))).toEqual(keys(full).filter((k) => !optionalFull.includes(k)));
      expect(keys(run.metrics!).every((k) => k in full)).toBe(true);
      const summary: Record<keyof RunSummary, true> = { model: true, dim: true, dataset: true, backend: true, kernels: true, threads: true, seconds: true, epochs: true,
        bestEpoch: true, bestValidMrr: true, stoppedEarly: true, interrupted: true, scoringPath: true, runDir: true, seed: true, warnings: true, data: true,
        checkpoint: true, testSkipped: true };
      expect(keys(run.summary)).toEqual(keys(summary).filter((k) => k !== 'testSkipped'));
      const info: Record<keyof ModelInfo, true> = { name: true, model: true, dim: true, entities: true, relations: true, similarity: true, neighborMetric: true,
        tailBias: true, dataset: true, knownTriples: true, entityNames: true, indexes: true, note: true };
      expect(keys(run.model.info())).toEqual(keys(info).filter((k) => k !== 'note'));
      expect(typeof run.model.info().dim).toBe('number');
      const embeddings = run.model.embeddings();
      expect(keys(embeddings)).toEqual(['entities', 'relations', 'tables']);
      expect(keys(Object.values(embeddings.tables)[0]!)).toEqual(['dim', 'indexedBy', 'rows', 'values']);
      await expect(run.model.predict({ head: 'e0', relation: 'next', tail: 'e1' } as never)).rejects.toThrow(/give head or tail, not both/);
    } finally {
      run.model.close();
    }
  });

  it('evaluate: a full result has report and the full metrics, a sampled one sampled and protocol', async () => {
    const runDir = path.join(dir, 'run');
    const full = await evaluate(runDir);
    expect(full.report).toBeDefined();
    expect(full.sampled).toBeUndefined();
    expect(full.metrics.protocol).toBeUndefined();
    const sampled = await evaluate(runDir, { candidates: 5 });
    expect(sampled.sampled).toBeDefined();
    expect(sampled.report).toBeUndefined();
    const sampledKeys: Record<keyof SampledSummaryMetrics, true> = { mrr: true, 'hits@1': true, 'hits@3': true, 'hits@10': true, mr: true, queries: true, evalSeconds: true,
      byDirection: true, protocol: true, raw: true, tieRules: true };
    expect(keys(sampled.metrics)).toEqual(keys(sampledKeys).filter((k) => k !== 'raw' && k !== 'tieRules'));
  });

  it('syntheticGraph: its triples are three names each', () => {
    const graph = syntheticGraph({ entities: 10 });
    expect(graph.train.every((t) => t.length === 3 && t.every((x) => typeof x === 'string'))).toBe(true);
    expect(splitTriples(graph.train).train.length).toBeGreaterThan(0);
  });
});
