/**
 * `npm run bench:constraint-step`: the cost of TransE's unit-norm entity constraint in one optimiser step. Two
 * 40,943 × 32 tables (WN18RR's entities) take the same sparse gradient (2,000 rows) each step, interleaved: Adam on a
 * unit table (the optimiser's step, then the projection of the whole table, cut between the threads) and Adam on a
 * free table. Prints ms per step at the thread count of KGDISTILL_THREADS (default: the machine's).
 * Usage: node dist/bench/constraint-step.js [steps = 300]
 */
import { loadKernels } from '../src/kernels/kernels.js';
import { ParameterStore, type ParameterTable } from '../src/core/parameter-store.js';
import { TableOptimizer } from '../src/core/optimizers.js';
import { SeededRandom } from '../src/core/random.js';
import type { TableSpec } from '../src/core/model.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const ROWS = 40_943, D = 32, TOUCHED = 2_000;
const { positionals } = benchArgs('constraint-step', { flags: {}, positionals: { usage: '[steps]', max: 1, min: 1 } });
const steps = Number(positionals[0] ?? 300);
const kernels = await loadKernels();

/** An entity table with Adam, unit or free. */
function setup(constraint: 'unitNorm' | undefined): { table: ParameterTable; optimizer: TableOptimizer } {
  const spec: TableSpec = { name: 'entity', indexedBy: 'entity', dim: D, init: { kind: 'normal', std: 1 }, regularize: false, ...(constraint ? { constraint } : {}) };
  const store = new ParameterStore([spec], ROWS, 1, kernels.memory);
  store.initialise(new SeededRandom(3));
  return { table: store.table('entity'), optimizer: new TableOptimizer('adam', 1e-3, store, kernels) };
}

const cases = { 'Adam, then the projection': setup('unitNorm'), 'Adam, no constraint': setup(undefined) };
const ids = Int32Array.from({ length: TOUCHED }, (_, i) => (i * 97) % ROWS);
const grad = new Float32Array(TOUCHED * D).fill(0.01);
const ms = new Map<string, number>(Object.keys(cases).map((name) => [name, 0]));
for (let step = 0; step < steps; step++) {
  for (const [name, { table, optimizer }] of Object.entries(cases)) {
    table.scatterAddGrad(ids, grad);
    const t0 = performance.now();
    optimizer.step();
    ms.set(name, ms.get(name)! + performance.now() - t0);
  }
}
console.log(`constraint-step: ${ROWS} × ${D}, Adam, ${steps} steps, KGDISTILL_THREADS=${process.env.KGDISTILL_THREADS ?? '(machine)'}; ms per step`);
for (const [name, total] of ms) console.log(`${name.padEnd(26)} ${(total / steps).toFixed(2)}`);
