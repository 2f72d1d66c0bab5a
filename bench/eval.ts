/**
 * `npm run bench:eval`: seconds for the full filtered evaluation of FB15k-237 test (20,466 triples → 40,932
 * queries, both directions, against all 14,541 entities) per model at d = 32, and WN18RR test for comparison.
 * Speed does not depend on training, so freshly initialised models are timed.
 * Usage: node dist/bench/eval.js [model,model,…]
 */
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { ModelRuntime } from '../src/core/model-runtime.js';
import { evaluateSplit } from '../src/eval/evaluate-run.js';
import { createModel } from '../src/registry/models.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { positionals } = benchArgs('eval', { flags: {}, positionals: { usage: 'one word, the models comma-separated', max: 1 } });
const models = (positionals[0] ?? 'DistMult,ComplEx,RotH,AttH').split(',');
const backend = await initBackend('auto');
const rows: Record<string, unknown>[] = [];
for (const datasetName of ['FB15k-237', 'WN18RR']) {
  const data = runDataFromDataset(await loadDataset(datasetName, { unseen: 'keep' }));
  for (const model of models) {
    const runtime = await ModelRuntime.create(createModel(model, { dim: 32, numEntities: data.numEntities, numRelations: data.numRelations, initScale: 0.1 }), 0);
    const report = await evaluateSplit(runtime, data, 'test');
    rows.push({ dataset: datasetName, model, dim: 32, queries: report.filtered.count, seconds: +report.seconds.toFixed(2), queriesPerSecond: Math.round(report.filtered.count / report.seconds), backend });
    process.stderr.write(`${datasetName} ${model}: ${report.seconds.toFixed(2)} s\n`);
  }
}
console.table(rows);
console.log(JSON.stringify({ bench: 'eval', date: new Date().toISOString(), backend, rows }));
