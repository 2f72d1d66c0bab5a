/**
 * `npm run bench:epoch`: wall-clock seconds of whole training epochs through `Trainer`, for comparison with the
 * reference code's epoch times on this CPU (KGEmb RotH d=32 WN18RR, Adam, batch 500, 50 negatives, double_neg:
 * 32 s per epoch in float32 on 2 threads, 95 s in float64 — ../shared/TOOLCHAIN.md).
 * Usage: node dist/bench/epoch.js [dataset] [model] [--epochs n] [--no-double-neg] [--optimizer adam] [--dim 32]
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
import { sampledLossOf } from '../src/pipeline/run-job.js';
import { trainOptionsSchema } from '../src/pipeline/options.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const flag = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const datasetName = positional[0] ?? 'WN18RR';
const modelName = positional[1] ?? 'RotH';
const epochs = Number(flag('--epochs', '3'));
const dim = Number(flag('--dim', '32'));
const doubleNegatives = !args.includes('--no-double-neg');
const optimizer = flag('--optimizer', 'adam');

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset(datasetName, { unseen: 'keep' }));
const runtime = await ModelRuntime.create(createModel(modelName, { dim, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
const lossName = flag('--loss', 'bce');
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
