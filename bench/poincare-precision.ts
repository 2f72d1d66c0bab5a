/**
 * `npm run bench:precision -- <run dir> [--split test|valid] [--queries <n> (default 2000, at least 2)]`: what float32 costs the ranks of a
 * trained Poincaré model (RotH, RefH, AttH, MuRP). The same queries are ranked twice against every entity: by the
 * engine's float32 kernels, and in float64 by the oracles the kernels are tested against: the query program by
 * `queryProgramRef` (src/kernels/query-reference.ts), each score by `similarityRef` (src/kernels/reference.ts:
 * exp₀ᶜ(v), then Möbius addition as vectors, the kernels' artanh clamp). It prints both filtered MRRs (realistic
 * ties), how far the float32 scores are from the float64 ones, and how close queries and entities are to the ball's
 * edge (√c‖·‖: float32 loses the distance of close pairs beyond ~0.998). The float64 scores are rounded to float32
 * for ranking (what an all-entity scorer returns): one float32 step of a score near 100 is 7.6e-6, so differences
 * below that are not resolved.
 */
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { initBackend } from '../src/core/backend.js';
import { loadRunWithData } from '../src/pipeline/evaluate.js';
import { evaluateLinkPrediction } from '../src/eval/evaluate.js';
import { queryProgramRef } from '../src/kernels/query-reference.js';
import { similarityRef } from '../src/kernels/reference.js';
import { SimilarityKind } from '../src/kernels/kernels.js';
import type { AllEntityScorer } from '../src/core/all-entity-scorer.js';
import type { ModelRuntime } from '../src/core/model-runtime.js';

exitOnHelp(import.meta.url);

const { values: { split, queries: maxQueries }, positionals } = benchArgs('precision', {
  flags: { split: { type: 'string', default: 'test', choices: ['test', 'valid'] }, queries: { type: 'integer', default: 2000, min: 2 } },
  positionals: { usage: 'one run directory', max: 1 },
});
const runDir = positionals[0];
if (!runDir) {
  process.stderr.write('usage: npm run bench:precision -- <run dir> [--split test|valid] [--queries <n>]\n');
  process.exit(2);
}
const maxTriples = Math.ceil(maxQueries / 2); // each triple is a tail and a head query

/** Float64 scores of every entity for a batch of queries, and the edge statistics of what it met. */
class Float64PoincareScorer implements AllEntityScorer {
  readonly numEntities: number;
  /** √c‖q‖ of every query scored, √c‖y‖ of every (entity, curvature) pair met. */
  readonly queryEdge: number[] = [];
  readonly entityEdge: number[] = [];
  private readonly seenCurvatures = new Set<number>();

  constructor(private readonly runtime: ModelRuntime) {
    this.numEntities = runtime.store.table(runtime.model.candidateTable).rows;
  }

  async scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array> {
    const { model, store } = this.runtime;
    const program = model.fusedQuery!;
    const table = store.table(model.candidateTable);
    const d = table.dim, N = this.numEntities, v = table.data.array;
    const tailBias = model.tailBiasTable ? store.table(model.tailBiasTable).data.array : undefined;
    const out = new Float32Array(entities.length * N);
    for (let b = 0; b < entities.length; b++) {
      const inputs: Record<string, Float32Array> = {};
      for (const name of model.queryTables) {
        const t = store.table(name);
        const row = t.spec.indexedBy === 'entity' ? entities[b]! : queryRelations[b]!;
        inputs[name] = t.data.array.subarray(row * t.dim, (row + 1) * t.dim);
      }
      const { q, c: cOut, offset } = queryProgramRef(program, inputs);
      const c = cOut![0]!;
      this.queryEdge.push(Math.sqrt(c * q.reduce((acc, x) => acc + x * x, 0)));
      const recordEntities = !this.seenCurvatures.has(c);
      this.seenCurvatures.add(c);
      for (let j = 0; j < N; j++) {
        const row = v.subarray(j * d, (j + 1) * d);
        const s = similarityRef(SimilarityKind.NegSqPoincare, q, row, c);
        out[b * N + j] = s + (offset ? offset[0]! : 0) + (tailBias ? tailBias[j]! : 0);
        if (recordEntities) this.entityEdge.push(Math.tanh(Math.sqrt(c * row.reduce((acc, x) => acc + x * x, 0))));
      }
    }
    return out;
  }
}

/** The p-quantiles of xs. */
function quantiles(xs: number[], ps: number[]): string {
  const s = [...xs].sort((p, q) => p - q);
  return ps.map((p) => `${(100 * p).toFixed(0)}%: ${s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(5)}`).join(', ');
}

const backend = await initBackend('auto');
const { run, dataset, data } = await loadRunWithData(runDir);
const { model } = run.runtime;
if (model.similarity !== 'negSqPoincare' || !model.fusedQuery) {
  process.stderr.write(`bench:precision: ${run.header.model.model} is not a Poincaré model with a query program (RotH, RefH, AttH, MuRP)\n`);
  process.exit(2);
}
const triples = data[split].subarray(0, 3 * Math.min(maxTriples, data[split].length / 3));
const float64 = new Float64PoincareScorer(run.runtime);
const engine = run.runtime.entityScorer();
let maxAbs = 0, sumAbs = 0, count = 0;
/** The engine's scores, compared with float64 ones of the same queries on the way. */
const compared: AllEntityScorer = {
  numEntities: engine.numEntities,
  async scoreAll(entities, relations) {
    const s32 = await engine.scoreAll(entities, relations);
    const s64 = await new Float64PoincareScorer(run.runtime).scoreAll(entities.subarray(0, 4), relations.subarray(0, 4));
    for (let i = 0; i < s64.length; i++) {
      const e = Math.abs(s32[i]! - s64[i]!);
      maxAbs = Math.max(maxAbs, e);
      sumAbs += e;
      count++;
    }
    return s32;
  },
};
const r32 = await evaluateLinkPrediction(compared, triples, data.numRelations, data.known);
const r64 = await evaluateLinkPrediction(float64, triples, data.numRelations, data.known);
engine.dispose();
const queries = (2 * triples.length) / 3;
process.stdout.write(`${run.header.model.model} d=${run.header.model.dim} on ${dataset.name}, ${split} split, first ${queries} queries, backend ${backend}\n`);
process.stdout.write(`filtered MRR: float32 kernels ${r32.filtered.mrr.toFixed(4)}, float64 ${r64.filtered.mrr.toFixed(4)} (Δ ${(r64.filtered.mrr - r32.filtered.mrr).toFixed(4)}); H@10 ${r32.filtered['hits@10'].toFixed(4)} / ${r64.filtered['hits@10'].toFixed(4)}\n`);
process.stdout.write(`|score float32 − float64| over ${count} scores (4 queries a batch): mean ${(sumAbs / count).toExponential(2)}, max ${maxAbs.toExponential(2)}\n`);
process.stdout.write(`√c‖q‖ of the queries: ${quantiles(float64.queryEdge, [0.5, 0.9, 0.99, 1])}\n`);
process.stdout.write(`√c‖y‖ of the entities (every curvature met): ${quantiles(float64.entityEdge, [0.5, 0.9, 0.99, 1])}\n`);
process.stdout.write(`${JSON.stringify({ bench: 'precision', model: run.header.model.model, dim: run.header.model.dim, dataset: dataset.name, split, queries, mrr32: r32.filtered.mrr, mrr64: r64.filtered.mrr, maxAbs, meanAbs: sumAbs / count })}\n`);
