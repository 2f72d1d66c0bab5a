// kgdistill kernel library (AssemblyScript → build/kernels.wasm via scripts/build-kernels.mjs).
// All pointers are byte offsets into the imported (shared) memory `env.memory`; i32 for ints, f32 for reals
// except Adam's lr and betas (f64, so that 1 − β is formed before rounding).
// The kernels never allocate: every buffer belongs to the TypeScript side (src/kernels/kernel-memory.ts), which
// keeps the first RESERVED_BYTES of the memory for this module's static data (checked against heapBase()).
export { similarityForward, similarityBackward } from './similarity';
export { adagradRows, adamRows, adamDense, sgdRows } from './optim';
export { gatherRows, scatterAddRows, addRowsAndClear, firstOutOfRange, uniqueRows } from './rows';
export { addCandidateBiases, candidateBiasBackward } from './candidate-biases';
export { expmap0Forward, expmap0Backward, projectForward, projectBackward }
  from './ball-rows';
export { mobiusAddForward, mobiusAddBackward } from './mobius-rows';
export { givensForward, givensBackward, attentionForward, attentionBackward } from './givens-rows';
export { softplusForward, softplusBackward, clampCurvatureForward, clampCurvatureBackward,
  addForward, accumulate, mulForward, mulBackward, complexMulForward,
  complexMulBackward, phasorForward, phasorBackward, gatherValues,
  scatterAddValues, zeroFloats } from './elementwise';
export { sampledSoftplusLoss, sampledNssaLoss } from './sampled-loss';
export { poincareScores, poincareScoresBackward } from './poincare-partials';
export { blockTable, topKScores } from './top-k';
export { poincareEntityTerms, poincareTopK } from './poincare-top-k';
export { quantizeBlocked, poincareTopKBatch } from './poincare-batch-top-k';
export { denseSoftmaxRows, denseSigmoidRows, denseSoftmaxEntities } from './dense-softmax';
export { densePoincareRows, densePoincareEntities } from './dense-poincare';
export { denseScores } from './dense-scores';
export { blockRows } from './dense-tiles';
export { unitNormRows } from './constraints';
// Module-level scratch (dot2Second, gP, pS_*, lastSigmoid, tanhRatioDeriv, gNorm, acc4, …) is per instance: each worker thread instantiates its own.

/** ABI version of this kernel set; src/kernels/kernels.ts refuses a build/kernels.wasm with another one. */
export function kernelsVersion(): i32 {
  return 12;
}

/** First byte after this module's static data; TypeScript allocations must start at or above it. */
export function heapBase(): usize {
  return __heap_base;
}
