/**
 * `npm run bench:epoch`: wall-clock seconds of whole training epochs through `Trainer`, for comparison with the
 * reference code's epoch times on this CPU (KGEmb RotH d=32 WN18RR, Adam, batch 500, 50 negatives, double_neg:
 * 32 s per epoch in float32 on 2 threads, 95 s in float64 — ../shared/TOOLCHAIN.md).
 * Usage: node dist/bench/epoch.js [dataset (default WN18RR)] [model (default RotH)] [--epochs n (default 3)] [--no-double-neg] [--optimizer adam] [--dim 32]
 *   [--loss bce|nssa|margin|auto] (default bce; auto: the model's own, as `train --loss auto`)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { ModelRuntime } from '../src/core/model-runtime.js';
import { Trainer } from '../src/core/trainer.js';
import { filteredValidator } from '../src/eval/evaluate-run.js';
import { parseTrainingConfig } from '../src/core/training-config.js';
import { createModel } from '../src/registry/models.js';
import { sampledLossOf } from '../src/pipeline/run-settings.js';
import { trainOptionsSchema } from '../src/pipeline/options.js';
import { OPTIMIZER_NAMES } from '../src/core/optimizers.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: options, positionals } = benchArgs('epoch', {
  flags: {
    epochs: { type: 'integer', default: 3, min: 1 },
    dim: { type: 'integer', default: 32, min: 1 },
    'no-double-neg': { type: 'boolean' },
    optimizer: { type: 'string', default: 'adam', choices: OPTIMIZER_NAMES },
    loss: { type: 'string', default: 'bce', choices: ['bce', 'nssa', 'margin', 'auto'] },
  },
  positionals: { usage: '[dataset] [model]', max: 2 },
});
const datasetName = positionals[0] ?? 'WN18RR';
const modelName = positionals[1] ?? 'RotH';
const { epochs, dim, optimizer, loss: lossName } = options;
const doubleNegatives = !options['no-double-neg'];

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset(datasetName, { unseen: 'keep' }));
const runtime = await ModelRuntime.create(createModel(modelName, { dim, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
// the loss `train --loss <name>` would use (its margins, and auto's model default)
const loss = sampledLossOf(trainOptionsSchema.parse({ dataset: datasetName, model: modelName, loss: lossName, doubleNeg: doubleNegatives }), modelName);
const config = parseTrainingConfig({ epochs, batchSize: 500, negatives: 50, doubleNegatives, optimizer, learningRate: 1e-3, validEvery: 1_000_000,
  loss: loss.loss, margin: loss.margin, adversarialTemperature: loss.adversarialTemperature });
const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-bench-epoch-'));
const perEpoch: number[] = [];
const result = await new Trainer(runtime, data, config, dir, backend, { validator: filteredValidator(data) }).run({ onEpochEnd: (r) => perEpoch.push(r.seconds) });
rmSync(dir, { recursive: true, force: true });
const median = [...perEpoch].sort((a, b) => a - b)[Math.floor(perEpoch.length / 2)]!;
const row = { dataset: datasetName, model: `${modelName} d=${dim}`, optimizer, loss: lossName === 'auto' ? `auto (${loss.loss})` : lossName, doubleNegatives, backend, path: result.scoringPath, epochs, medianEpochSeconds: +median.toFixed(2), epochSeconds: perEpoch.map((s) => +s.toFixed(2)) };
console.table([row]);
console.log(JSON.stringify({ bench: 'epoch', date: new Date().toISOString(), ...row }));
