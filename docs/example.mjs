// The README's "Use from code" example, run by test/api/package.test.ts against the packed package.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { train, evaluate, writeSyntheticDataset, OptionsError } from 'kgdistill';

// A new directory of its own, so the example runs again as it is (a dataset or a run is never overwritten).
const work = await mkdtemp(path.join(tmpdir(), 'kgdistill-example-'));
// A small graph generated in code; 'WN18RR', 'FB15k-237' or a directory of your own train/valid/test files work the same way.
const dataset = await writeSyntheticDataset(path.join(work, 'graph'), { entities: 200, seed: 1 });
const run = await train({ dataset, model: 'RotH', dim: 32, lr: 0.1, epochs: 60, validEvery: 10, out: path.join(work, 'run') });
console.log(`test MRR ${run.metrics?.mrr.toFixed(3)}, Hits@10 ${run.metrics?.['hits@10'].toFixed(3)} after ${run.summary.epochs} epochs in ${run.runDir}`);

const { answers } = await run.model.predict({ head: 'e30', relation: 'parent' }, 3);
console.log('(e30, parent, ?):', answers.map((a) => `${a.key}${a.known ? ' (known)' : ''} ${a.score.toFixed(2)}`).join(', '));
console.log('nearest to e30:', (await run.model.neighbors('e30', 3)).neighbors.map((n) => n.key).join(', '));
console.log('rank of (e30, parent, e9):', (await run.model.score('e30', 'parent', 'e9')).rank.filtered);
console.log(`valid MRR ${(await evaluate(run.runDir, { split: 'valid' })).metrics.mrr.toFixed(3)}`);

try {
  await train({ dataset, dim: -1, out: path.join(work, 'bad') }); // options are checked by the same schema as the command line
} catch (error) {
  if (!(error instanceof OptionsError)) throw error; // the errors are exported classes (docs/API.md, "Errors")
  console.log(`bad option: ${error.message} (keys: ${error.problems.map((p) => p.key).join(', ')})`);
}
