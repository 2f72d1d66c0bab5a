/**
 * A model together with its parameters in kernel memory: what training, evaluation, distillation and lookup all
 * work on. It also saves and restores the parameters (and, for resuming, the optimiser and random state).
 */
import type { Kernels } from '../kernels/kernels.js';
import { loadKernels } from '../kernels/kernels.js';
import type { KgeModel } from './model.js';
import { ParameterStore } from './parameter-store.js';
import { SeededRandom } from './random.js';
import * as tf from '@tensorflow/tfjs-core';
import { FusedCandidateScorer, TfjsCandidateScorer, type CandidateScorer, type CandidateSet } from './candidate-scoring.js';
import { fusedCandidateScores, fusedStepSupports } from './fused-negative-step.js';
import { gatherQueryRows, rowsByName } from './query-rows.js';
import { hasNativeGatherGradient } from './backend.js';
import { ModelEntityScorer } from './entity-scorer.js';
import { firstNonFinite } from './finite-check.js';
import { nonZeroPadding } from './table-padding.js';

/** Which candidate-scoring path to run: the core decides on `auto`. */
export type ScoringPath = 'auto' | 'fused' | 'tfjs';

/** A model, its parameter tables and the kernels that train it. */
export class ModelRuntime {
  readonly store: ParameterStore;

  private constructor(readonly model: KgeModel, readonly kernels: Kernels) {
    const { numEntities, numRelations } = model.config;
    this.store = new ParameterStore(model.tables, numEntities, numRelations, kernels.memory);
  }

  /** Allocates the model's tables (initialised from `seed` unless parameters will be loaded). */
  static async create(model: KgeModel, seed?: number): Promise<ModelRuntime> {
    const runtime = new ModelRuntime(model, await loadKernels());
    if (seed !== undefined) runtime.store.initialise(new SeededRandom(`init:${seed}`));
    return runtime;
  }

  /** The candidate scorer for `path` on `backend`: fused kernels unless the backend has native gather gradients. */
  candidateScorer(path: ScoringPath, backend: string): CandidateScorer {
    const table = this.store.table(this.model.candidateTable);
    const bias = this.model.tailBiasTable ? this.store.table(this.model.tailBiasTable) : undefined;
    const fusedPossible = table.dim % 4 === 0;
    const useFused = path === 'fused' || (path === 'auto' && fusedPossible && !hasNativeGatherGradient(backend));
    if (useFused) return new FusedCandidateScorer(this.kernels, this.model.similarity, table, bias);
    return new TfjsCandidateScorer(this.model.similarity, table, bias);
  }

  /**
   * Each query's scores on its own candidates [Q×M], without gradients (e.g. frozen teachers): forward-only
   * kernels when the model has a fused program and the backend no native gather gradient, else tfjs.
   */
  scoreCandidates(entities: Int32Array, relations: Int32Array, candidates: CandidateSet, backend: string): Float32Array {
    if (!hasNativeGatherGradient(backend) && fusedStepSupports(this.model, this.store)) {
      return fusedCandidateScores(this.model, this.store, entities, relations, candidates.ids, candidates.perQuery);
    }
    const scorer = this.candidateScorer('auto', backend);
    // The scores leave the tidy scope as a tensor and are read outside it (reading inside was far slower).
    const scores = tf.tidy(() => {
      const gathered = gatherQueryRows(this.model, this.store, entities, relations);
      const out = this.model.query(rowsByName(gathered.names, gathered.tensors));
      return scorer.score(out, candidates, scorer.inputs(candidates, entities.length));
    });
    try {
      return scores.dataSync() as Float32Array;
    } finally {
      scores.dispose();
    }
  }

  /** An all-entity scorer over the current parameters (dispose it after use). */
  entityScorer(): ModelEntityScorer {
    return new ModelEntityScorer(this.model, this.store);
  }

  /**
   * Ends what the runtime holds beyond its arrays: the kernel worker thread on its memory (which would otherwise
   * keep the memory, tables and optimiser state alive). The runtime still answers, on one thread.
   */
  dispose(): void {
    this.kernels.releaseWorker();
  }

  /** The parameter tables as named arrays (views, not copies). */
  parameterArrays(): Record<string, Float32Array> {
    const arrays: Record<string, Float32Array> = {};
    for (const table of this.store.tables()) arrays[`param:${table.spec.name}`] = table.data.array;
    return arrays;
  }

  /** Loads parameter tables from named arrays; every table must be present with its exact size and finite values. */
  loadParameterArrays(arrays: Record<string, Float32Array>, source: string): void {
    for (const table of this.store.tables()) {
      const saved = arrays[`param:${table.spec.name}`];
      if (!saved) throw new Error(`${source}: parameter table '${table.spec.name}' is missing`);
      if (saved.length !== table.data.length) throw new Error(`${source}: parameter table '${table.spec.name}' has ${saved.length} values, the model needs ${table.data.length}`);
      const bad = firstNonFinite({ [table.spec.name]: saved });
      if (bad) throw new Error(`${source}: parameter table '${bad.name}' holds ${bad.value} at row ${Math.floor(bad.index / table.dim)} (a damaged or diverged checkpoint)`);
      table.data.array.set(saved);
      const moved = nonZeroPadding(table);
      if (moved) throw new Error(`${source}: parameter table '${table.spec.name}' holds ${moved.value} at row ${moved.row}, column ${moved.column}, a column stored only for the kernels that must be 0 (a damaged checkpoint)`);
    }
  }
}
