/**
 * `npm run bench:teacher-ensemble`: how much the teachers of a MulDE student know together — the filtered MRR of
 * each teacher alone and of their ensemble on the valid and test splits (both directions, realistic ties), i.e. the
 * ceiling a distilled student can approach when it learns only what its teachers agree on.
 *
 * Two ensembles of the per-query distributions p_i(e | q) = softmax_e f_i(q, e) of the teachers i = 1..T:
 * - `product`: Σ_i log p_i(e | q) (a product of experts: each teacher's scores shifted by its own log-partition);
 * - `mean`:    log Σ_i p_i(e | q) / T (a mixture: the average of the teachers' probabilities).
 *
 * Usage: node dist/bench/teacher-ensemble.js --teachers <run dir,run dir,…> [--splits valid,test]
 * The teachers must share one dataset (the first teacher's, read as it was for training).
 */
import path from 'node:path';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { initBackend } from '../src/core/backend.js';
import { loadRun, type LoadedRun } from '../src/registry/load-run.js';
import { requireSameVocabulary } from '../src/core/training-data.js';
import { loadRunWithData } from '../src/pipeline/evaluate.js';
import { evaluateLinkPrediction } from '../src/eval/evaluate.js';
import type { AllEntityScorer } from '../src/core/all-entity-scorer.js';
import type { ModelEntityScorer } from '../src/core/entity-scorer.js';

exitOnHelp(import.meta.url);

type Rule = 'product' | 'mean';

/** Rewrites each row of a [B × N] score matrix in place as its log-softmax (log p(e | q)). */
function logSoftmaxRows(scores: Float32Array, numEntities: number): void {
  for (let o = 0; o < scores.length; o += numEntities) {
    let max = -Infinity;
    for (let j = 0; j < numEntities; j++) max = Math.max(max, scores[o + j]!);
    let sum = 0;
    for (let j = 0; j < numEntities; j++) sum += Math.exp(scores[o + j]! - max);
    const logZ = max + Math.log(sum);
    for (let j = 0; j < numEntities; j++) scores[o + j] = scores[o + j]! - logZ;
  }
}

/** An all-entity scorer combining several teachers' per-query distributions by `rule`. */
class EnsembleScorer implements AllEntityScorer {
  readonly numEntities: number;
  constructor(private readonly scorers: ModelEntityScorer[], private readonly rule: Rule) {
    this.numEntities = scorers[0]!.numEntities;
  }

  async scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array> {
    const combined = new Float64Array(entities.length * this.numEntities);
    for (const scorer of this.scorers) {
      const scores = scorer.scoreAllSync(entities, queryRelations);
      logSoftmaxRows(scores, this.numEntities);
      for (let i = 0; i < scores.length; i++) combined[i] += this.rule === 'product' ? scores[i]! : Math.exp(scores[i]!);
    }
    return Float32Array.from(combined, (v) => (this.rule === 'product' ? v : Math.log(v / this.scorers.length)));
  }
}

const { values: options } = benchArgs('teacher-ensemble', {
  flags: { teachers: { type: 'strings' }, splits: { type: 'strings', default: 'valid,test', choices: ['valid', 'test'] } },
});
const teacherDirs = options.teachers;
if (teacherDirs.length === 0) {
  process.stderr.write('bench:teacher-ensemble: --teachers <run dir,run dir,…> is required\n');
  process.exit(2);
}
const splits = options.splits;

const backend = await initBackend('auto');
const { run: first, dataset, data } = await loadRunWithData(teacherDirs[0]!); // the dataset as the first teacher read it
const runs: LoadedRun[] = [first];
for (const dir of teacherDirs.slice(1)) runs.push(await loadRun(path.resolve(dir)));
runs.forEach((run) => requireSameVocabulary(run.file, run.header.vocab, data));
const scorers = runs.map((run) => run.runtime.entityScorer());
const names = runs.map((run, i) => `${path.basename(teacherDirs[i]!)} (${run.header.model.model} d=${run.header.model.dim})`);
process.stdout.write(`${dataset.name}, backend ${backend}: ${names.join(', ')}\n\n| scorer | split | MRR | H@1 | H@3 | H@10 |\n|---|---|---:|---:|---:|---:|\n`);
const candidates: [string, AllEntityScorer][] = [
  ...scorers.map((s, i): [string, AllEntityScorer] => [names[i]!, s]),
  ['ensemble: product of experts', new EnsembleScorer(scorers, 'product')],
  ['ensemble: mean probability', new EnsembleScorer(scorers, 'mean')],
];
for (const [name, scorer] of candidates) {
  for (const split of splits) {
    const report = await evaluateLinkPrediction(scorer, data[split], data.numRelations, data.known);
    const f = report.filtered;
    process.stdout.write(`| ${name} | ${split} | ${f.mrr.toFixed(4)} | ${f['hits@1'].toFixed(4)} | ${f['hits@3'].toFixed(4)} | ${f['hits@10'].toFixed(4)} |\n`);
  }
}
scorers.forEach((s) => s.dispose());
