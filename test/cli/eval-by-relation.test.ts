// `eval --by-relation`: the filtered metrics of each relation with a test triple, checked against each query's rank
// (keepRanks) grouped by hand; the pooled rows add up to the headline; a sampled evaluation refuses it (exit 2).
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastJsonLine, runCliCapturing } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { evaluateRun, loadRunWithData } from '../../src/pipeline/evaluate.js';
import { evaluateLinkPrediction } from '../../src/eval/evaluate.js';
import { pooledMetrics, type RelationMetrics } from '../../src/eval/relation-breakdown.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-by-relation-'));
const run = (args: string[]) => runCliCapturing([registerTrainCommand, registerEvalCommand], args);
const out = path.join(tmp, 'run');

beforeAll(async () => {
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 60, seed: 3 });
  await run(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '3', '--valid-every', '3', '--seed', '1', '--out', out, '--no-test-eval']);
}, 60_000);

describe('eval --by-relation', () => {
  it("gives each relation's MRR and Hits@10 of its own queries, pooled as the headline is", async () => {
    const json = lastJsonLine((await run(['eval', '--checkpoint', out, '--by-relation', '--json'])).out);
    const relations = json.byRelation as RelationMetrics[];
    // the oracle: every query's filtered rank (tail of triple i, then its head), grouped by the triple's relation
    const { run: loaded, data } = await loadRunWithData(out);
    const scorer = loaded.runtime.entityScorer();
    const { ranks } = await evaluateLinkPrediction(scorer, data.test, data.numRelations, data.known, { keepRanks: true });
    scorer.dispose();
    loaded.runtime.dispose();
    const expected = new Map<string, { triples: number; tailRr: number; headRr: number; hits10: number }>();
    for (let i = 0; i < data.test.length / 3; i++) {
      const name = data.relationNames[data.test[3 * i + 1]!]!;
      const group = expected.get(name) ?? { triples: 0, tailRr: 0, headRr: 0, hits10: 0 };
      group.triples++;
      group.tailRr += 1 / ranks![2 * i]!;
      group.headRr += 1 / ranks![2 * i + 1]!;
      group.hits10 += Number(ranks![2 * i]! <= 10) + Number(ranks![2 * i + 1]! <= 10);
      expected.set(name, group);
    }
    expect(relations.length).toBeGreaterThan(1);
    expect(relations.map((r) => r.relation).sort()).toEqual([...expected.keys()].sort());
    for (const r of relations) {
      const e = expected.get(r.relation)!;
      expect(r.triples).toBe(e.triples);
      expect(r.tail.mrr).toBeCloseTo(e.tailRr / e.triples, 12);
      expect(r.head.mrr).toBeCloseTo(e.headRr / e.triples, 12);
      expect(r.both.mrr).toBeCloseTo((e.tailRr + e.headRr) / (2 * e.triples), 12);
      expect(r.both['hits@10']).toBeCloseTo(e.hits10 / (2 * e.triples), 12);
    }
    const pooled = relations.map((r) => r.both).reduce(pooledMetrics);
    expect(pooled.mrr).toBeCloseTo(json.mrr as number, 12);
    expect(pooled.count).toBe(json.queries);
    // the text: one row per relation under a `relation` header
    const text = (await run(['eval', '--checkpoint', out, '--by-relation'])).out;
    expect(text).toMatch(/^relation +MRR +H@1 +H@3 +H@10 +MR +queries$/m);
    for (const r of relations) expect(text).toContain(`${r.relation} `);
    expect((await run(['eval', '--checkpoint', out])).out).not.toMatch(/^relation /m);
  }, 60_000);

  it('is refused for a sampled evaluation, naming both options', async () => {
    const refused = await evaluateRun(out, { byRelation: true, candidates: 5 }).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(OptionsError);
    expect(String(refused)).toContain('byRelation needs a ranking against all entities, and this evaluation samples 5 candidates per query: give candidates 0');
  });
});

describe('pooledMetrics', () => {
  it('is the count-weighted mean of each figure', () => {
    const a = { count: 2, mrr: 0.5, mr: 3, 'hits@1': 0.5, 'hits@3': 0.5, 'hits@10': 1 };
    const b = { count: 1, mrr: 1, mr: 1, 'hits@1': 1, 'hits@3': 1, 'hits@10': 1 };
    const both = pooledMetrics(a, b);
    expect(both.count).toBe(3);
    expect(both.mrr).toBeCloseTo(2 / 3, 15);
    expect(both.mr).toBeCloseTo(7 / 3, 15);
    expect(both['hits@1']).toBeCloseTo(2 / 3, 15);
    expect(pooledMetrics({ ...a, count: 0, mrr: NaN }, b)).toEqual(b);
  });
});
