/**
 * `npm run bench:train`: milliseconds per training step on FB15k-237 (d = 32, batch 500, 50 uniform negatives,
 * and 1-N), through the core exactly as `kgdistill train` runs it, beside PyTorch's step timed in the same run.
 * Usage: node dist/bench/train.js [model,model,…] [--steps n]
 */
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { timeSteps, type StepSetup } from './step-timer.js';
import { torchStep } from './peers.js';

const args = process.argv.slice(2);
const models = (args.find((a) => !a.startsWith('--')) ?? 'DistMult,ComplEx').split(',');
const stepsIndex = args.indexOf('--steps');
const steps = stepsIndex >= 0 ? Number(args[stepsIndex + 1]) : 30;

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset('FB15k-237', { unseen: 'keep' }));
const rows: Record<string, unknown>[] = [];
const peerNeg = torchStep('neg', 2);
for (const model of models) {
  const setups: StepSetup[] = [
    { model, dim: 32, batchSize: 500, negatives: 50, optimizer: 'adagrad', path: 'fused' },
    { model, dim: 32, batchSize: 500, negatives: 50, optimizer: 'adagrad', path: 'tfjs' },
  ];
  if (model === 'DistMult') setups.push({ model, dim: 32, batchSize: 500, negatives: 0, optimizer: 'adagrad', path: 'fused' });
  for (const setup of setups) {
    const t = await timeSteps(data, setup, backend, setup.negatives === 0 ? Math.min(steps, 10) : steps);
    const regime = setup.negatives === 0 ? '1-N' : `${setup.negatives} neg`;
    rows.push({ model, dim: setup.dim, regime, path: setup.path, backend, medianMs: +t.medianMs.toFixed(2), minMs: +t.minMs.toFixed(2), stepsPerSecond: +(1000 / t.medianMs).toFixed(1) });
    process.stderr.write(`${model} d=32 ${regime} ${setup.path}: ${t.medianMs.toFixed(2)} ms/step\n`);
  }
}
const peer1N = torchStep('1N', 2);
const torch = { neg: peerNeg, oneToN: peer1N };
for (const row of rows) {
  const peer = row.regime === '1-N' ? peer1N : peerNeg;
  if (peer && row.model === 'DistMult') row.ratioToTorch = +((row.medianMs as number) / peer.median_ms).toFixed(2);
}
console.table(rows);
console.log(JSON.stringify({ bench: 'train', dataset: 'FB15k-237', date: new Date().toISOString(), backend, torch, rows }));
