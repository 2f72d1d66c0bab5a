/**
 * `npm run bench:train`: milliseconds per training step on FB15k-237 (d = 32, batch 500, 50 uniform negatives,
 * and 1-N with softmax or binary cross-entropy; for Poincaré models 1-N fused with either loss and tfjs), through
 * the core exactly as `kgdistill train` runs it, beside PyTorch's step timed in the same run (1-N: its softmax; RotH
 * 1-N: bench/peers/torch_poincare_step.py, the same model in PyTorch).
 * Paths: `fused` (fused candidate scoring; models with a fused query program run the whole step in kernels),
 * `hybrid` (fused candidate scoring, tfjs query: the fused path of models without a program), `tfjs` (all tfjs).
 * Negative sampling is timed with and without KGEmb's --double_neg (B·(1 + N) queries, one candidate each).
 * The DistMult steps are also timed against PyTorch in interleaved rounds (PyTorch, kgdistill, PyTorch, …; `--rounds`,
 * default 5) and reported as the median of the per-round ratios, robust to this machine's noise.
 * Usage: node dist/bench/train.js [model,model,… (default DistMult,ComplEx)] [--steps n (default 30)] [--rounds r (default 5)] [--no-hybrid] [--no-tfjs]
 */
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { MODELS, createModel, modelOptionsSchema } from '../src/registry/models.js';
import type { KgeModel } from '../src/core/model.js';
import { timeSteps, type StepSetup } from './step-timer.js';
import { peerBlas, torchPoincareStep, torchStep } from './peers.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: options, positionals } = benchArgs('train', {
  flags: {
    steps: { type: 'integer', default: 30, min: 1 },
    rounds: { type: 'integer', default: 5, min: 0 },
    'no-hybrid': { type: 'boolean' },
    'no-tfjs': { type: 'boolean' },
  },
  positionals: { usage: 'one word, the models comma-separated', max: 1 },
});
const models = (positionals[0] ?? 'DistMult,ComplEx').split(',');
for (const model of models) MODELS.get(model); // an unknown name fails before FB15k-237 loads and the peer runs
const { steps, rounds: roundCount } = options;
const withHybrid = !options['no-hybrid'];
const withTfjs = !options['no-tfjs'];

/** The registry name of a model's variant without its fused query program (so the step takes the hybrid path). */
function hybridVariant(model: string): string | undefined {
  if (!createModel(model, { dim: 4, numEntities: 1, numRelations: 1 }).fusedQuery) return undefined;
  const name = `${model}/hybrid`;
  if (!MODELS.has(name)) {
    MODELS.add({ name, summary: `${model} without its fused query program`, schema: modelOptionsSchema,
      create: (o) => Object.create(createModel(model, o), { fusedQuery: { value: undefined } }) as KgeModel });
  }
  return name;
}

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset('FB15k-237', { unseen: 'keep' }));
const rows: Record<string, unknown>[] = [];
const blas = peerBlas();
if (!blas.fair) console.error(`warning: PyTorch's peer multiplies with ${blas.library}, not an optimised BLAS: its times are not a fair peer (apt-get install libopenblas0-pthread)`);
const peerNeg = torchStep('neg', 2);
for (const model of models) {
  const hybrid = withHybrid ? hybridVariant(model) : undefined;
  const setups: (StepSetup & { label: string })[] = [];
  for (const doubleNegatives of [false, true]) {
    const base = { dim: 32, batchSize: 500, negatives: 50, doubleNegatives, optimizer: 'adagrad' as const };
    setups.push({ ...base, model, path: 'fused', label: 'fused' });
    if (hybrid) setups.push({ ...base, model: hybrid, path: 'fused', label: 'hybrid' });
    if (withTfjs && !doubleNegatives) setups.push({ ...base, model, path: 'tfjs', label: 'tfjs' });
  }
  const oneToN = { model, dim: 32, batchSize: 500, negatives: 0, optimizer: 'adagrad' as const };
  if (model === 'DistMult') {
    setups.push({ ...oneToN, path: 'fused', label: 'fused' });
    setups.push({ ...oneToN, oneToNLoss: 'bce', path: 'fused', label: 'fused, bce' });
  } else if (createModel(model, { dim: 4, numEntities: 1, numRelations: 1 }).similarity === 'negSqPoincare') {
    setups.push({ ...oneToN, path: 'fused', label: 'fused' }); // assembly/dense-poincare.ts
    setups.push({ ...oneToN, oneToNLoss: 'bce', path: 'fused', label: 'fused, bce' });
    if (withTfjs) setups.push({ ...oneToN, path: 'tfjs', label: 'tfjs' });
  }
  for (const setup of setups) {
    const t = await timeSteps(data, setup, backend, setup.negatives === 0 ? Math.min(steps, 10) : steps);
    const regime = setup.negatives === 0 ? '1-N' : `${setup.negatives} neg${setup.doubleNegatives ? ' double' : ''}`;
    rows.push({ model, dim: setup.dim, regime, path: setup.label, backend, medianMs: +t.medianMs.toFixed(2), minMs: +t.minMs.toFixed(2), stepsPerSecond: +(1000 / t.medianMs).toFixed(1) });
    process.stderr.write(`${model} d=32 ${regime} ${setup.label}: ${t.medianMs.toFixed(2)} ms/step\n`);
  }
}
const peer1N = torchStep('1N', 2);
const peerRotH1N = models.includes('RotH') ? torchPoincareStep(2) : undefined; // bench/peers/torch_poincare_step.py
const torch = { blas: blas.library, neg: peerNeg, oneToN: peer1N, rotHOneToN: peerRotH1N };
for (const row of rows) {
  const peer = row.regime === '1-N' ? peer1N : row.regime === '50 neg' ? peerNeg : undefined;
  if (peer && row.model === 'DistMult') row.ratioToTorch = +((row.medianMs as number) / peer.median_ms).toFixed(2);
  if (peerRotH1N && row.model === 'RotH' && row.regime === '1-N' && row.path === 'fused') row.ratioToTorch = +((row.medianMs as number) / peerRotH1N.median_ms).toFixed(2);
}
const distMult = rows.find((r) => r.model === 'DistMult' && r.regime === '50 neg' && r.path === 'fused');
if (distMult) for (const row of rows) if (row.path === 'fused' && row.regime !== '1-N') row.ratioToDistMult = +((row.medianMs as number) / (distMult.medianMs as number)).toFixed(2);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const interleaved: Record<string, unknown>[] = [];
if (models.includes('DistMult') && peerNeg) {
  for (const [mode, negatives] of [['neg', 50], ['1N', 0]] as const) {
    const ratios: number[] = [];
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < roundCount; round++) {
      const peer = torchStep(mode, 2);
      const mine = await timeSteps(data, { model: 'DistMult', dim: 32, batchSize: 500, negatives, optimizer: 'adagrad', path: 'fused' }, backend, negatives === 0 ? Math.min(steps, 10) : steps);
      if (!peer) break;
      theirs.push(peer.median_ms);
      ours.push(mine.medianMs);
      ratios.push(mine.medianMs / peer.median_ms);
      process.stderr.write(`round ${round + 1} ${mode}: kgdistill ${mine.medianMs.toFixed(2)} ms, PyTorch ${peer.median_ms.toFixed(2)} ms\n`);
    }
    if (ratios.length > 0) interleaved.push({ regime: mode === 'neg' ? '50 neg' : '1-N', rounds: ratios.length, kgdistillMedianMs: +median(ours).toFixed(2), torchMedianMs: +median(theirs).toFixed(2), medianRatio: +median(ratios).toFixed(2), ratios: ratios.map((r) => +r.toFixed(2)) });
  }
}
console.table(rows);
if (interleaved.length > 0) console.table(interleaved);
console.log(JSON.stringify({ bench: 'train', dataset: 'FB15k-237', date: new Date().toISOString(), backend, torch, rows, interleaved }));
