/**
 * Scoring each query against its own few candidates (the gold answer and sampled negatives, or MulDE's top-K):
 * s[b, m] = sim(q[b], e[cand[b, m]]) + offset[b] + bias[cand[b, m]].
 *
 * Two interchangeable implementations return the scores as a tfjs tensor [Q, M] that autodiff sees:
 * - `fused`: a tfjs op with a custom gradient whose forward and backward are the SIMD kernels. The backward
 *   receives dL/ds as `dy`, returns dL/dq, dL/dc and dL/d(offset) to tfjs, and adds dL/de into the candidate
 *   table's gradient accumulator directly (row-sparse), so the table never enters the tape.
 * - `tfjs`: candidate rows gathered into a [Q, M, d] tensor and scored by `similarityPairs`; their gradient is
 *   scattered back into the accumulator. It is the reference, and the path native backends use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SimilarityKind, type Kernels } from '../kernels/kernels.js';
import { ScratchBlocks, type F32Block, type I32Block } from '../kernels/kernel-memory.js';
import type { SimilarityName } from './model.js';
import type { ParameterTable } from './parameter-store.js';
import { similarityPairs } from './similarity-tf.js';

/** Kernel id of each similarity (src/kernels/assembly). */
export const SIMILARITY_KERNEL_ID: Record<SimilarityName, SimilarityKind> = {
  dot: SimilarityKind.Dot,
  negSqEuclidean: SimilarityKind.NegSqEuclidean,
  negEuclidean: SimilarityKind.NegEuclidean,
  negSqPoincare: SimilarityKind.NegSqPoincare,
  negL1: SimilarityKind.NegL1,
  negModulusL1: SimilarityKind.NegModulusL1,
};

/** The candidates of a batch of Q queries, M per query, row-major. */
export interface CandidateSet {
  ids: Int32Array;
  perQuery: number;
}

/** Inputs from the query side: q [Q, d], optional curvature and offset [Q, 1]. */
export interface QuerySide {
  q: tf.Tensor2D;
  c?: tf.Tensor2D;
  offset?: tf.Tensor2D;
}

/**
 * Scores queries against their candidates; which implementation runs is the core's choice. A step calls
 * `inputs` before taking gradients (the tensors that must be on the tape), `score` inside the differentiated
 * function with those same tensors, and `applyGradients` with their gradients afterwards.
 */
export interface CandidateScorer {
  readonly path: 'fused' | 'tfjs';
  inputs(candidates: CandidateSet, queryCount: number): tf.Tensor[];
  score(query: QuerySide, candidates: CandidateSet, inputs: readonly tf.Tensor[]): tf.Tensor2D;
  applyGradients(candidates: CandidateSet, grads: readonly tf.Tensor[]): void;
}

function addTailBias(scores: Float32Array, ids: Int32Array, bias: ParameterTable | undefined): void {
  if (!bias) return;
  const b = bias.data.array;
  for (let i = 0; i < ids.length; i++) scores[i] += b[ids[i]!]!;
}

/** The fused path: SIMD kernels wrapped as a tfjs op with a custom gradient. */
export class FusedCandidateScorer implements CandidateScorer {
  readonly path = 'fused' as const;
  private readonly scratch: ScratchBlocks;

  constructor(
    private readonly kernels: Kernels,
    private readonly similarity: SimilarityName,
    private readonly table: ParameterTable,
    private readonly bias?: ParameterTable,
  ) {
    this.scratch = new ScratchBlocks(kernels.memory);
    if (table.dim % 4 !== 0) throw new Error(`fused scoring needs a dimension divisible by 4 (got ${table.dim})`);
  }

  inputs(): tf.Tensor[] {
    return [];
  }

  applyGradients(): void {
    // The kernel's backward already added dL/de into the table's accumulator.
  }

  score(query: QuerySide, candidates: CandidateSet): tf.Tensor2D {
    const [Q, d] = query.q.shape;
    const M = candidates.perQuery;
    if (candidates.ids.length !== Q * M) throw new Error(`expected ${Q * M} candidate ids, got ${candidates.ids.length}`);
    const kind = SIMILARITY_KERNEL_ID[this.similarity];
    const needsC = this.similarity === 'negSqPoincare';
    const c = query.c ?? tf.ones([Q, 1]);
    const offset = query.offset ?? tf.zeros([Q, 1]);
    const qBlock = this.scratch.f32('q', Q * d);
    const cBlock = this.scratch.f32('c', Q);
    const candBlock = this.scratch.i32('cand', Q * M);
    const outBlock = this.scratch.f32('scores', Q * M);
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [qT, cT, offT] = args as tf.Tensor[];
      // Copies kept for the backward: several score() calls in one step share the scratch blocks.
      const qData = (qT!.dataSync() as Float32Array).slice();
      const cData = (cT!.dataSync() as Float32Array).slice();
      qBlock.array.set(qData);
      cBlock.array.set(cData);
      candBlock.array.set(candidates.ids);
      this.kernels.similarityForward(kind, Q, M, d, qBlock, candBlock, this.table.data, needsC ? cBlock : null, outBlock);
      const scores = outBlock.array.slice(0, Q * M);
      addTailBias(scores, candidates.ids, this.bias);
      const off = offT!.dataSync();
      for (let b = 0; b < Q; b++) for (let m = 0; m < M; m++) scores[b * M + m] += off[b]!;
      const value = tf.tensor2d(scores, [Q, M]);
      const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
        qBlock.array.set(qData);
        cBlock.array.set(cData);
        candBlock.array.set(candidates.ids);
        return this.backward(dy, candidates, Q, M, d, kind, needsC, qBlock, cBlock, candBlock);
      };
      return { value, gradFunc };
    });
    // The placeholder c and offset stay alive until the caller's tf.tidy ends: the tape may still refer to them.
    return op(query.q, c, offset) as tf.Tensor2D;
  }

  private backward(dy: tf.Tensor, candidates: CandidateSet, Q: number, M: number, d: number, kind: SimilarityKind, needsC: boolean,
    qBlock: F32Block, cBlock: F32Block, candBlock: I32Block): tf.Tensor[] {
    const dScore = dy.dataSync() as Float32Array;
    const dsBlock = this.scratch.f32('dscore', Q * M);
    const dqBlock = this.scratch.f32('dq', Q * d);
    const dcBlock = this.scratch.f32('dc', Q);
    dsBlock.array.set(dScore.subarray(0, Q * M));
    this.kernels.similarityBackward(kind, Q, M, d, qBlock, candBlock, this.table.data, needsC ? cBlock : null, dsBlock, dqBlock, this.table.grad, dcBlock);
    this.table.touch(candidates.ids);
    if (this.bias) {
      const g = this.bias.grad.array;
      for (let i = 0; i < candidates.ids.length; i++) g[candidates.ids[i]!] += dScore[i]!;
      this.bias.touch(candidates.ids);
    }
    const dOffset = new Float32Array(Q);
    for (let b = 0; b < Q; b++) {
      let sum = 0;
      for (let m = 0; m < M; m++) sum += dScore[b * M + m]!;
      dOffset[b] = sum;
    }
    return [tf.tensor2d(dqBlock.array.slice(0, Q * d), [Q, d]), tf.tensor2d(needsC ? dcBlock.array.slice(0, Q) : new Float32Array(Q), [Q, 1]), tf.tensor2d(dOffset, [Q, 1])];
  }
}

/** The plain tfjs path: gathered candidate rows on the tape, gradients scattered back after the step. */
export class TfjsCandidateScorer implements CandidateScorer {
  readonly path = 'tfjs' as const;

  constructor(private readonly similarity: SimilarityName, private readonly table: ParameterTable, private readonly bias?: ParameterTable) {}

  inputs(candidates: CandidateSet, queryCount: number): tf.Tensor[] {
    const M = candidates.perQuery;
    const rows = tf.tensor3d(this.table.gather(candidates.ids), [queryCount, M, this.table.dim]);
    if (!this.bias) return [rows];
    return [rows, tf.tensor2d(this.bias.gather(candidates.ids), [queryCount, M])];
  }

  score(query: QuerySide, _candidates: CandidateSet, inputs: readonly tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      let s: tf.Tensor2D = similarityPairs(this.similarity, query.q, inputs[0] as tf.Tensor3D, query.c);
      if (inputs[1]) s = tf.add(s, inputs[1]);
      if (query.offset) s = tf.add(s, query.offset);
      return s;
    });
  }

  applyGradients(candidates: CandidateSet, grads: readonly tf.Tensor[]): void {
    this.table.scatterAddGrad(candidates.ids, grads[0]!.dataSync() as Float32Array);
    if (this.bias) this.bias.scatterAddGrad(candidates.ids, grads[1]!.dataSync() as Float32Array);
  }
}
