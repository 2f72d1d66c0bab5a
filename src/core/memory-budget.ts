/**
 * How much memory a model needs before anything is allocated: every parameter table lives in the kernels' one
 * WebAssembly memory with its gradient accumulator (a wasm32 memory holds at most 4 GiB); the optimiser state
 * (Adagrad one slot, Adam two, SGD none) lives beside them when it fits with the run's step scratch and validation
 * (`runScratchBytesOf`), else in host memory (TableOptimizer).
 * A model whose tables and gradients cannot fit is a clear error stating the bytes needed, the limit and what to
 * change — not a RangeError halfway through allocation; so is a run whose step scratch (step-memory.ts) cannot fit
 * beside them (`requireTrainingMemory`).
 */
import type { KgeModel, TableSpec } from './model.js';
import { MAX_PAGES, PAGE_BYTES } from '../kernels/kernel-memory.js';
import { byteSizeText } from '../kernels/byte-size.js';
import { KERNEL_SCRATCH_RESERVE, OPTIMIZER_SLOTS, optimizerStateHome, optimizerStepBytes, type OptimizerName } from './optimizers.js';
import { tableRows } from './parameter-store.js';
import { CHUNK_ROWS } from './fused-step-plan.js';
import { stepScratchOf, type ScratchPart, type StepShape } from './step-memory.js';

/** Bytes of one WebAssembly memory at most (wasm32: 65,536 pages of 64 KiB). */
export const KERNEL_MEMORY_LIMIT = MAX_PAGES * PAGE_BYTES;

/** Bytes the tables of a model need in kernel memory with an optimiser: 4 · rows · dim · (2 + slots) summed. */
export function kernelBytesOf(tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): number {
  const floats = tables.reduce((sum, t) => sum + tableRows(t, numEntities, numRelations) * t.dim, 0);
  return 4 * floats * (2 + OPTIMIZER_SLOTS[optimizer]);
}

/** Bytes of kernel memory tables and gradients may take: all of it but the 1/16 kept for scratch. */
const TABLE_BYTES_LIMIT = KERNEL_MEMORY_LIMIT - KERNEL_SCRATCH_RESERVE;

/** requireKernelMemory's test: tables and gradients of `bytes` fit beside the scratch reserve. */
const tablesFit = (bytes: number): boolean => bytes <= TABLE_BYTES_LIMIT;

/** requireTrainingMemory's test: what a run holds (tables, state, validation) and one step's scratch fit together. */
const fitsWithScratch = (held: number, scratch: number): boolean => held + scratch <= KERNEL_MEMORY_LIMIT;

/** Throws when the model's tables and gradients cannot fit one kernel memory (with 1/16 kept for scratch). */
export function requireKernelMemory(model: string, tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): void {
  const bytes = kernelBytesOf(tables, numEntities, numRelations, 'sgd');
  if (tablesFit(bytes)) return;
  const perEntity = kernelBytesOf(tables.filter((t) => t.indexedBy === 'entity'), 1, 0, 'sgd');
  throw new Error(`${model} with ${numEntities.toLocaleString('en-US')} entities needs ${byteSizeText(bytes)} of kernel memory ` +
    `(${perEntity} bytes per entity: parameters and gradients; the ${optimizer} state goes to host memory when it does not fit), more than the ` +
    `${byteSizeText(TABLE_BYTES_LIMIT)} one WebAssembly memory can hold (wasm32, 4 GiB with scratch). Lower the dimension (--dim; dim in code) or use fewer entities.`);
}

/** Kernel memory the validation's all-entity scoring keeps (entity-scorer.ts kernelScores: the blocked table, and ≤ 8M scores per call, evaluate.ts). */
export function validationBytesOf(numEntities: number, dim: number): number {
  return 4 * (Math.ceil(numEntities / 4) * 4 * (dim + 3) + (1 << 23));
}

/** How a run validates: against every entity (the blocked table, validationBytesOf), on sampled candidates (`evalCandidates`), or not at all (no valid split). */
export type ValidationKind = 'full' | 'sampled' | 'none';

/** What the training-memory message says of a run: its model and the batch size as given (the step may take fewer). */
export interface TrainingMemoryRun {
  model: KgeModel;
  batchSize: number;
  /** Names an option by its key: a flag in the shell, a key in code (pipeline/options.ts optionName). */
  name: (key: string) => string;
  validation: ValidationKind;
}

/** Kernel memory a sampled validation keeps at most (its scores per call; 0.84 MiB measured with 100 candidates on 20k entities). */
const SAMPLED_VALIDATION_BYTES = 1 << 23;

/** Kernel memory the run's validation keeps, by how it validates. */
function validationKernelBytes(validation: ValidationKind, numEntities: number, dim: number): number {
  return validation === 'full' ? validationBytesOf(numEntities, dim) : validation === 'sampled' ? SAMPLED_VALIDATION_BYTES : 0;
}

/** The dimension of the table a model scores candidates from (what validation's blocked table holds). */
const candidateDimOf = (model: KgeModel): number => model.tables.find((t) => t.name === model.candidateTable)!.dim;

/**
 * Kernel bytes a run needs beside its tables and optimiser state: one step's scratch and its validation's scoring.
 * The optimiser state stays in kernel memory only when it leaves this much free (optimizerStateHome's `runBytes`).
 */
export function runScratchBytesOf(model: KgeModel, shape: StepShape, validation: ValidationKind): number {
  return stepScratchOf(model, shape).bytes + validationKernelBytes(validation, shape.numEntities, candidateDimOf(model));
}

/**
 * Throws, before anything is allocated or written, when the tables, their gradients, the optimiser state that would
 * live beside them (optimizerStateHome), one step's scratch (step-memory.ts) and the validation's scoring cannot fit
 * one kernel memory; or when the candidates each teacher scores cannot fit its own. The message names the options
 * that make the largest part, their values and the bytes.
 */
export function requireTrainingMemory(run: TrainingMemoryRun, shape: StepShape): void {
  const { model, name } = run;
  const tables = kernelBytesOf(model.tables, shape.numEntities, shape.numRelations, 'sgd');
  const state = kernelBytesOf(model.tables, shape.numEntities, shape.numRelations, shape.optimizer) - tables;
  const dim = candidateDimOf(model);
  const scratch = stepScratchOf(model, shape);
  const validation = validationKernelBytes(run.validation, shape.numEntities, dim);
  // TableOptimizer's rule: the state (with what the optimiser allocates as it steps beside it) stays beside the tables
  // only when the scratch and validation fit beside it too, so a run refused below has its state in host memory:
  // tables, validation, scratch and dense Adam's staging chunks are all it holds there
  const heights = model.tables.map((t) => tableRows(t, shape.numEntities, shape.numRelations));
  const stateIn = optimizerStateHome(shape.optimizer, heights, tables, state, KERNEL_MEMORY_LIMIT, scratch.bytes + validation);
  const held = tables + (stateIn === 'kernel' ? state : 0) + optimizerStepBytes(shape.optimizer, stateIn, heights) + validation;
  const limit = `one WebAssembly memory holds ${byteSizeText(KERNEL_MEMORY_LIMIT)} (wasm32)`;
  if (!fitsWithScratch(held, scratch.bytes)) {
    const lead = scratch.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a), scratch.parts[0]!);
    // validation is what to change when it is the largest part and the run fits without it (sampled: a few MiB)
    if (run.validation === 'full' && validation > lead.bytes && fitsWithScratch(tables + SAMPLED_VALIDATION_BYTES, scratch.bytes)) {
      throw new Error(`validation against all ${shape.numEntities.toLocaleString('en-US')} entities at ${name('dim')} ${dim} needs ${byteSizeText(validation)} on top of ` +
        `${byteSizeText(tables)} of tables and ${byteSizeText(scratch.bytes)} of step scratch; ${limit}: validate on sampled candidates ` +
        `(${name('evalCandidates')}, e.g. 1000) or lower ${name('dim')} (nothing was written)`);
    }
    const { what, lower } = describePart(lead.what, run, shape, dim);
    const validationText = validation > 0 ? ` and ${byteSizeText(validation)} for validation${run.validation === 'full' && validation > lead.bytes ? ` (${name('evalCandidates')} samples instead)` : ''}` : '';
    throw new Error(`${what} need ${byteSizeText(lead.bytes)} of kernel scratch per step (${byteSizeText(scratch.bytes)} in all) on top of ${byteSizeText(tables)} of tables` +
      `${validationText}; ${limit}: lower ${lower} (nothing was written)`);
  }
  if (shape.topK && scratch.teacherBytes > TABLE_BYTES_LIMIT) {
    throw new Error(`${batchText(run, shape)} × ${name('topK')} ${shape.topK.k} candidates need ${byteSizeText(scratch.teacherBytes)} of kernel scratch per step in each teacher's memory; ` +
      `${limit}: lower ${name('topK')} or ${name('batchSize')} (nothing was written)`);
  }
}

/** The most entities {@link maxEntitiesOf} reports (ids are int32). */
const MAX_ENTITY_COUNT = 2 ** 31 - 1;

/**
 * The most entities a run of `model` can have before the parts of its kernel memory that every run of it holds pass
 * what the checks above allow: its tables and gradients (`requireKernelMemory`) and, unless `tablesOnly` (a native
 * backend), one step's scratch `shapeAt(entities)` beside them (`requireTrainingMemory`; its optimiser state, which
 * may live in host memory, is left out; the scratch is its least figure, `stepScratchOf`'s `fewest`, since 1-N's falls
 * at some entity counts), and the scoring of `validation` (default `'none'`: a bound that holds when the valid split
 * is empty). With any count above it, and the shape, relations and anything else at least those of `shapeAt`, one of
 * those checks refuses the run: a reader can stop there (`LoadOptions.maxEntities`, `maxEntitiesWithValid` with a
 * validation) instead of after the whole file. 0 when not even none fit.
 */
export function maxEntitiesOf(model: KgeModel, shapeAt: (numEntities: number) => StepShape, tablesOnly: boolean, validation: ValidationKind = 'none'): number {
  const dim = validation === 'none' ? 0 : candidateDimOf(model);
  const fits = (entities: number): boolean => {
    const shape = shapeAt(entities);
    const tables = kernelBytesOf(model.tables, entities, shape.numRelations, 'sgd');
    // what the optimiser allocates as it steps with its state in host memory, where it is near the bound (a state that
    // fits beside the tables is larger); the scratch's least figure, which never falls as the entities grow: the search
    // needs a test that, once false, stays false
    const heights = model.tables.map((t) => tableRows(t, entities, shape.numRelations));
    const held = tables + optimizerStepBytes(shape.optimizer, 'host', heights) + validationKernelBytes(validation, entities, dim);
    return tablesFit(tables) && (tablesOnly || fitsWithScratch(held, stepScratchOf(model, shape, true).bytes));
  };
  if (fits(MAX_ENTITY_COUNT)) return MAX_ENTITY_COUNT;
  if (!fits(0)) return 0;
  let fitting = 0, refused = MAX_ENTITY_COUNT; // fits(fitting), !fits(refused): the largest that fits lies between
  while (refused - fitting > 1) {
    const middle = fitting + Math.floor((refused - fitting) / 2);
    if (fits(middle)) fitting = middle;
    else refused = middle;
  }
  return fitting;
}

/** `--batch-size 500`, and the queries a step takes when the run has fewer. */
function batchText(run: TrainingMemoryRun, shape: StepShape): string {
  const given = `${run.name('batchSize')} ${run.batchSize}`;
  return shape.queries < run.batchSize ? `${given} (${shape.queries} training queries)` : given;
}

/** What a scratch part is, by the options it grows with, and the options that lower it. */
function describePart(part: ScratchPart['what'], run: TrainingMemoryRun, shape: StepShape, dim: number): { what: string; lower: string } {
  const { name } = run;
  const batch = batchText(run, shape);
  const dimText = `${name('dim')} ${dim}`;
  switch (part) {
    case 'candidates':
      return shape.doubleNegatives
        ? { what: `${batch} × (1 + ${name('neg')} ${shape.negatives}) queries (${name('doubleNeg')})`, lower: `${name('neg')} or ${name('batchSize')}` }
        : { what: `${batch} × (1 + ${name('neg')} ${shape.negatives}) candidates`, lower: `${name('neg')} or ${name('batchSize')}` };
    case 'queryRows':
      return { what: `${dimText} query rows (the ${run.model.config.model} program's buffers, ${CHUNK_ROWS} rows at a time)`, lower: name('dim') };
    case 'compactRows':
      return { what: `${dimText} rows of the step's distinct entities (${batch} × (1 + ${name('neg')} ${shape.negatives}) candidates, at most the ${shape.numEntities} entities)`, lower: `${name('dim')}, ${name('neg')} or ${name('batchSize')}` };
    case 'shadows':
      return { what: `${dimText} gradients of the second kernel thread (KGDISTILL_THREADS ${shape.threads})`, lower: `${name('dim')} or set KGDISTILL_THREADS=1` };
    case 'oneToN':
      return { what: `${batch} queries × ${dimText} scored against all ${shape.numEntities} entities (${name('oneToN')})`, lower: `${name('batchSize')} or ${name('dim')}` };
    case 'topK':
      return { what: `${batch} × ${name('topK')} ${shape.topK!.k} candidates`, lower: `${name('topK')} or ${name('batchSize')}` };
  }
}
