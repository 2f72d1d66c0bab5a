// Bounds-checked wrappers of the kernels behind the fused negative-sampling step (candidate-biases.ts, sampled-loss.ts,
// poincare-partials.ts, width-1 row moves) and the query-program primitives (ball-rows.ts, mobius-rows.ts,
// givens-rows.ts, elementwise.ts). Forwards write their output (and
// per-row `aux` scalars that the VJP reads); VJPs ACCUMULATE into the input-gradient blocks, which may alias each
// other but no input.
// src/kernels/query-reference.ts holds the float64 reference of each primitive.
import type { F32Block, I32Block } from './kernel-memory.js';
import { type Block, type BlockChecks, curvatures, dim, fail, int, real } from './kernel-checks.js';

/** Floats of `aux` per row written by the forwards that save scalars for their VJP. */
export const AUX_WIDTH = { expmap0: 6, mobiusAdd: 8, project: 3, attention: 2 } as const;

/** Exports of the kernels wrapped here (see the assembly files for the maths). */
export interface FusedExports {
  addCandidateBiases(Q: number, M: number, s: number, offset: number, cand: number, bias: number): void;
  candidateBiasBackward(Q: number, M: number, dscore: number, doffset: number, cand: number, gbias: number): void;
  sampledSoftplusLoss(Q: number, M: number, goldFirst: number, scores: number, dscore: number, scale: number, weights: number): number;
  sampledNssaLoss(Q: number, M: number, scores: number, dscore: number, margin: number, alpha: number, scale: number, weights: number): number;
  poincareScores(B: number, M: number, d: number, q: number, cand: number, table: number, c: number, out: number,
    partials: number): void;
  poincareScoresBackward(B: number, M: number, d: number, q: number, cand: number, table: number, dscore: number,
    partials: number, dq: number, gtable: number, dc: number): void;
  gatherValues(n: number, ids: number, src: number, dst: number): void;
  scatterAddValues(n: number, ids: number, src: number, dst: number): void;
  expmap0Forward(n: number, d: number, u: number, c: number, out: number, aux: number): void;
  expmap0Backward(n: number, d: number, u: number, c: number, aux: number, g: number, gu: number, gc: number): void;
  mobiusAddForward(n: number, d: number, x: number, y: number, c: number, out: number, aux: number): void;
  mobiusAddBackward(n: number, d: number, x: number, y: number, c: number, aux: number, g: number, gx: number,
    gy: number, gc: number): void;
  projectForward(n: number, d: number, x: number, c: number, out: number, aux: number): void;
  projectBackward(n: number, d: number, x: number, c: number, aux: number, g: number, gx: number, gc: number): void;
  givensForward(reflect: number, n: number, d: number, r: number, x: number, out: number): void;
  givensBackward(reflect: number, n: number, d: number, r: number, x: number, g: number, gr: number, gx: number): void;
  attentionForward(n: number, d: number, w: number, a: number, x1: number, x2: number, out: number, aux: number): void;
  attentionBackward(n: number, d: number, w: number, a: number, x1: number, x2: number, aux: number, g: number, ga: number,
    gx1: number, gx2: number): void;
  softplusForward(count: number, x: number, out: number): void;
  softplusBackward(count: number, x: number, g: number, gx: number): void;
  clampCurvatureForward(count: number, x: number, out: number): void;
  clampCurvatureBackward(count: number, x: number, g: number, gx: number): void;
  addForward(count: number, x: number, y: number, out: number): void;
  accumulate(count: number, src: number, dst: number): void;
  mulForward(count: number, x: number, y: number, out: number): void;
  mulBackward(count: number, x: number, y: number, g: number, gx: number, gy: number): void;
  complexMulForward(n: number, d: number, x: number, y: number, out: number): void;
  complexMulBackward(n: number, d: number, x: number, y: number, g: number, gx: number, gy: number): void;
  phasorForward(n: number, w: number, theta: number, out: number): void;
  phasorBackward(n: number, w: number, theta: number, g: number, gTheta: number): void;
  zeroFloats(count: number, p: number): void;
}

/** Names of the FusedExports (checked at load time). */
export const FUSED_EXPORTS: readonly (keyof FusedExports)[] = [
  'addCandidateBiases', 'candidateBiasBackward', 'sampledSoftplusLoss', 'sampledNssaLoss', 'poincareScores', 'poincareScoresBackward',
  'gatherValues', 'scatterAddValues',
  'expmap0Forward', 'expmap0Backward', 'mobiusAddForward', 'mobiusAddBackward', 'projectForward', 'projectBackward',
  'givensForward', 'givensBackward', 'attentionForward', 'attentionBackward', 'softplusForward', 'softplusBackward',
  'clampCurvatureForward', 'clampCurvatureBackward',
  'addForward', 'accumulate', 'mulForward', 'mulBackward', 'complexMulForward', 'complexMulBackward', 'phasorForward', 'phasorBackward', 'zeroFloats'];

type Named = [string, Block | null];
const off = (b: Block | null): number => b?.offset ?? 0;

/** Checked wrappers; every pointer argument is a block of the kernels' memory. */
export class FusedKernels {
  /** Wraps the exports of an instantiated kernel module; use `kernels.fused`. */
  constructor(private readonly ex: FusedExports, private readonly c: BlockChecks) {}

  /** Sampled scores [Q×M]: s[i] += bias[cand[i]], then += offset[⌊i/M⌋] (either may be null). */
  addCandidateBiases(Q: number, M: number, s: F32Block, offset: F32Block | null, cand: I32Block,
    bias: F32Block | null): void {
    const fn = 'addCandidateBiases';
    this.checkCandidates(fn, Q, M, cand, bias);
    this.c.block(fn, 's', s, Q * M);
    if (offset) this.c.block(fn, 'offset', offset, Q);
    this.c.disjoint(fn, [['s', s]], [['offset', offset], ['cand', cand], ['bias', bias]]);
    this.ex.addCandidateBiases(Q, M, s.offset, off(offset), cand.offset, off(bias));
  }

  /** VJP of addCandidateBiases: doffset[q] ← Σ_m dscore[q·M + m] (overwritten), gbias[cand[i]] += dscore[i]. */
  candidateBiasBackward(Q: number, M: number, dscore: F32Block, doffset: F32Block | null, cand: I32Block,
    gbias: F32Block | null): void {
    const fn = 'candidateBiasBackward';
    this.checkCandidates(fn, Q, M, cand, gbias);
    this.c.block(fn, 'dscore', dscore, Q * M);
    if (doffset) this.c.block(fn, 'doffset', doffset, Q);
    this.c.disjoint(fn, [['doffset', doffset], ['gbias', gbias]], [['dscore', dscore], ['cand', cand]]);
    this.ex.candidateBiasBackward(Q, M, dscore.offset, off(doffset), cand.offset, off(gbias));
  }

  /**
   * scale·Σ BCE-with-logits terms of scores [Q×M] (column 0 positive when goldFirst); dscore ← scale·(σ(s) − y);
   * with `weights` (Q floats, gold-first rows only) each row's terms and dscore times its weight.
   */
  sampledSoftplusLoss(Q: number, M: number, goldFirst: boolean, scores: F32Block, dscore: F32Block,
    scale: number, weights: F32Block | null = null): number {
    const fn = 'sampledSoftplusLoss';
    int(fn, 'Q', Q);
    int(fn, 'M', M, 1);
    real(fn, 'scale', scale);
    if (weights && !goldFirst) fail(`${fn}: weights apply to gold-first rows only`);
    this.checkLossBlocks(fn, Q, M, scores, dscore, weights);
    return this.ex.sampledSoftplusLoss(Q, M, goldFirst ? 1 : 0, scores.offset, dscore.offset, scale, off(weights));
  }

  /** Checks the blocks of a sampled loss: scores and dscore [Q×M], dscore disjoint from the inputs, weights [Q]. */
  private checkLossBlocks(fn: string, Q: number, M: number, scores: F32Block, dscore: F32Block, weights: F32Block | null): void {
    this.c.block(fn, 'scores', scores, Q * M);
    this.c.block(fn, 'dscore', dscore, Q * M);
    if (weights) this.c.block(fn, 'weights', weights, Q);
    this.c.disjoint(fn, [['dscore', dscore]], [['scores', scores], ['weights', weights]]);
  }

  /**
   * Self-adversarial loss (Sun et al. 2019) of gold-first rows [Q×M] with margin γ and temperature α: returns
   * scale·Σ rows' 2L and writes dscore = scale·2∂L/∂s (scale = ½/B gives the batch mean of L); with `weights` (Q
   * floats) each row's 2L and dscore times its weight (scale = ½/Σw: Sun et al.'s weighted mean).
   */
  sampledNssaLoss(Q: number, M: number, scores: F32Block, dscore: F32Block, margin: number, alpha: number, scale: number,
    weights: F32Block | null = null): number {
    const fn = 'sampledNssaLoss';
    int(fn, 'Q', Q);
    int(fn, 'M', M, 2);
    real(fn, 'margin', margin);
    real(fn, 'alpha', alpha);
    real(fn, 'scale', scale);
    this.checkLossBlocks(fn, Q, M, scores, dscore, weights);
    return this.ex.sampledNssaLoss(Q, M, scores.offset, dscore.offset, margin, alpha, scale, off(weights));
  }

  /** Poincaré scores [B×M] as similarityForward, plus their partials (four planes of B·M floats) for the VJP. */
  poincareScores(B: number, M: number, d: number, q: F32Block, cand: I32Block, table: F32Block, c: F32Block,
    out: F32Block, partials: F32Block): void {
    const fn = 'poincareScores';
    this.checkPoincare(fn, B, M, d, q, cand, table, c);
    this.c.block(fn, 'out', out, B * M);
    this.c.block(fn, 'partials', partials, 4 * B * M);
    const ins: Named[] = [['q', q], ['cand', cand], ['table', table], ['c', c]];
    this.c.disjoint(fn, [['out', out], ['partials', partials]], [...ins, ['out', out], ['partials', partials]]);
    this.ex.poincareScores(B, M, d, q.offset, cand.offset, table.offset, c.offset, out.offset, partials.offset);
  }

  /** VJP of poincareScores from its partials: dq, dc overwritten; gtable[cand] += ∂L/∂v (as similarityBackward). */
  poincareScoresBackward(B: number, M: number, d: number, q: F32Block, cand: I32Block, table: F32Block,
    dscore: F32Block, partials: F32Block, dq: F32Block, gtable: F32Block, dc: F32Block): void {
    const fn = 'poincareScoresBackward';
    int(fn, 'B', B);
    int(fn, 'M', M, 1);
    dim(fn, d);
    this.c.block(fn, 'q', q, B * d);
    this.c.block(fn, 'cand', cand, B * M);
    this.c.inRange(fn, 'cand', cand, B * M, this.c.table(fn, 'table', table, d));
    this.c.block(fn, 'dscore', dscore, B * M);
    this.c.block(fn, 'partials', partials, 4 * B * M);
    this.c.block(fn, 'dq', dq, B * d);
    this.c.block(fn, 'dc', dc, B);
    if (gtable.length !== table.length) fail(`${fn}: gtable must have table's length ${table.length}`);
    this.c.block(fn, 'gtable', gtable, table.length);
    this.c.disjoint(fn, [['dq', dq], ['gtable', gtable], ['dc', dc]],
      [['q', q], ['cand', cand], ['table', table], ['dscore', dscore], ['partials', partials]]);
    this.ex.poincareScoresBackward(B, M, d, q.offset, cand.offset, table.offset, dscore.offset, partials.offset,
      dq.offset, gtable.offset, dc.offset);
  }

  /** dst[i] = src[ids[i]] for i < n (width-1 rows). */
  gatherValues(n: number, ids: I32Block, src: F32Block, dst: F32Block): void {
    this.checkValues('gatherValues', n, ids, src, dst);
    this.ex.gatherValues(n, ids.offset, src.offset, dst.offset);
  }

  /** dst[ids[i]] += src[i] for i < n (width-1 rows; repeats accumulate). */
  scatterAddValues(n: number, ids: I32Block, src: F32Block, dst: F32Block): void {
    this.checkValues('scatterAddValues', n, ids, dst, src);
    this.ex.scatterAddValues(n, ids.offset, src.offset, dst.offset);
  }

  /** out = project(exp₀ᶜ(u)) per row (u [n×d], c [n]); aux [n×AUX_WIDTH.expmap0]. */
  expmap0Forward(n: number, d: number, u: F32Block, c: F32Block, out: F32Block, aux: F32Block): void {
    this.rows('expmap0Forward', n, d, [['u', u]], [['c', c]], [['out', out]], [['aux', aux, AUX_WIDTH.expmap0]]);
    this.ex.expmap0Forward(n, d, u.offset, c.offset, out.offset, aux.offset);
  }

  /** VJP of expmap0Forward: gu += ∂L/∂u, gc += ∂L/∂c. */
  expmap0Backward(n: number, d: number, u: F32Block, c: F32Block, aux: F32Block, g: F32Block, gu: F32Block,
    gc: F32Block): void {
    this.rows('expmap0Backward', n, d, [['u', u], ['g', g]], [['c', c]], [['gu', gu]], [['aux', aux, AUX_WIDTH.expmap0]],
      [['gc', gc]]);
    this.ex.expmap0Backward(n, d, u.offset, c.offset, aux.offset, g.offset, gu.offset, gc.offset);
  }

  /** out = project(x ⊕ᶜ y) per row; aux [n×AUX_WIDTH.mobiusAdd]. */
  mobiusAddForward(n: number, d: number, x: F32Block, y: F32Block, c: F32Block, out: F32Block, aux: F32Block): void {
    this.rows('mobiusAddForward', n, d, [['x', x], ['y', y]], [['c', c]], [['out', out]],
      [['aux', aux, AUX_WIDTH.mobiusAdd]]);
    this.ex.mobiusAddForward(n, d, x.offset, y.offset, c.offset, out.offset, aux.offset);
  }

  /** VJP of mobiusAddForward: gx += ∂L/∂x, gy += ∂L/∂y, gc += ∂L/∂c. */
  mobiusAddBackward(n: number, d: number, x: F32Block, y: F32Block, c: F32Block, aux: F32Block, g: F32Block,
    gx: F32Block, gy: F32Block, gc: F32Block): void {
    this.rows('mobiusAddBackward', n, d, [['x', x], ['y', y], ['g', g]], [['c', c]], [['gx', gx], ['gy', gy]],
      [['aux', aux, AUX_WIDTH.mobiusAdd]], [['gc', gc]]);
    this.ex.mobiusAddBackward(n, d, x.offset, y.offset, c.offset, aux.offset, g.offset, gx.offset, gy.offset, gc.offset);
  }

  /** out = x rescaled onto √c‖x‖ ≤ 1 − 1e-5 per row; aux [n×AUX_WIDTH.project]. */
  projectForward(n: number, d: number, x: F32Block, c: F32Block, out: F32Block, aux: F32Block): void {
    this.rows('projectForward', n, d, [['x', x]], [['c', c]], [['out', out]], [['aux', aux, AUX_WIDTH.project]]);
    this.ex.projectForward(n, d, x.offset, c.offset, out.offset, aux.offset);
  }

  /** VJP of projectForward: gx += ∂L/∂x, gc += ∂L/∂c. */
  projectBackward(n: number, d: number, x: F32Block, c: F32Block, aux: F32Block, g: F32Block, gx: F32Block,
    gc: F32Block): void {
    this.rows('projectBackward', n, d, [['x', x], ['g', g]], [['c', c]], [['gx', gx]], [['aux', aux, AUX_WIDTH.project]],
      [['gc', gc]]);
    this.ex.projectBackward(n, d, x.offset, c.offset, aux.offset, g.offset, gx.offset, gc.offset);
  }

  /** out = G(r)·x pairwise: the Givens rotation (reflect false) or reflection (reflect true). */
  givensForward(reflect: boolean, n: number, d: number, r: F32Block, x: F32Block, out: F32Block): void {
    this.rows('givensForward', n, d, [['r', r], ['x', x]], [], [['out', out]], []);
    this.ex.givensForward(reflect ? 1 : 0, n, d, r.offset, x.offset, out.offset);
  }

  /** VJP of givensForward: gr += ∂L/∂r, gx += ∂L/∂x. */
  givensBackward(reflect: boolean, n: number, d: number, r: F32Block, x: F32Block, g: F32Block, gr: F32Block,
    gx: F32Block): void {
    this.rows('givensBackward', n, d, [['r', r], ['x', x], ['g', g]], [], [['gr', gr], ['gx', gx]], []);
    this.ex.givensBackward(reflect ? 1 : 0, n, d, r.offset, x.offset, g.offset, gr.offset, gx.offset);
  }

  /**
   * out = α₁x₁ + α₂x₂, α = softmax(a·x₁/√w, a·x₂/√w) over rows of d floats; aux [n×AUX_WIDTH.attention]. w, the
   * width the temperature is defined at, is d unless the rows end in padding columns (core/table-padding.ts).
   */
  attentionForward(n: number, d: number, a: F32Block, x1: F32Block, x2: F32Block, out: F32Block, aux: F32Block, w = d): void {
    this.rows('attentionForward', n, d, [['a', a], ['x1', x1], ['x2', x2]], [], [['out', out]],
      [['aux', aux, AUX_WIDTH.attention]]);
    this.ex.attentionForward(n, d, w, a.offset, x1.offset, x2.offset, out.offset, aux.offset);
  }

  /** VJP of attentionForward (the same w): ga, gx1, gx2 += ∂L/∂a, ∂L/∂x₁, ∂L/∂x₂. */
  attentionBackward(n: number, d: number, a: F32Block, x1: F32Block, x2: F32Block, aux: F32Block, g: F32Block,
    ga: F32Block, gx1: F32Block, gx2: F32Block, w = d): void {
    this.rows('attentionBackward', n, d, [['a', a], ['x1', x1], ['x2', x2], ['g', g]], [],
      [['ga', ga], ['gx1', gx1], ['gx2', gx2]], [['aux', aux, AUX_WIDTH.attention]]);
    this.ex.attentionBackward(n, d, w, a.offset, x1.offset, x2.offset, aux.offset, g.offset, ga.offset, gx1.offset,
      gx2.offset);
  }

  /** out = softplus(x) over `count` floats. */
  softplusForward(count: number, x: F32Block, out: F32Block): void {
    this.flat('softplusForward', count, [['x', x]], [['out', out]]);
    this.ex.softplusForward(count, x.offset, out.offset);
  }

  /** VJP of softplusForward: gx += g·σ(x). */
  softplusBackward(count: number, x: F32Block, g: F32Block, gx: F32Block): void {
    this.flat('softplusBackward', count, [['x', x], ['g', g]], [['gx', gx]]);
    this.ex.softplusBackward(count, x.offset, g.offset, gx.offset);
  }

  /** out = x clamped to [MIN_CURVATURE, MAX_CURVATURE] over `count` floats (the query's curvature). */
  clampCurvatureForward(count: number, x: F32Block, out: F32Block): void {
    this.flat('clampCurvatureForward', count, [['x', x]], [['out', out]]);
    this.ex.clampCurvatureForward(count, x.offset, out.offset);
  }

  /** VJP of clampCurvatureForward: gx += g where MIN_CURVATURE ≤ x ≤ MAX_CURVATURE. */
  clampCurvatureBackward(count: number, x: F32Block, g: F32Block, gx: F32Block): void {
    this.flat('clampCurvatureBackward', count, [['x', x], ['g', g]], [['gx', gx]]);
    this.ex.clampCurvatureBackward(count, x.offset, g.offset, gx.offset);
  }

  /** out = x + y over `count` floats. */
  addForward(count: number, x: F32Block, y: F32Block, out: F32Block): void {
    this.flat('addForward', count, [['x', x], ['y', y]], [['out', out]]);
    this.ex.addForward(count, x.offset, y.offset, out.offset);
  }

  /** dst += src over `count` floats (the VJP of addForward, once per input). */
  accumulate(count: number, src: F32Block, dst: F32Block): void {
    this.flat('accumulate', count, [['src', src]], [['dst', dst]]);
    this.ex.accumulate(count, src.offset, dst.offset);
  }

  /** out = x ∘ y over `count` floats. */
  mulForward(count: number, x: F32Block, y: F32Block, out: F32Block): void {
    this.flat('mulForward', count, [['x', x], ['y', y]], [['out', out]]);
    this.ex.mulForward(count, x.offset, y.offset, out.offset);
  }

  /** VJP of mulForward: gx += g ∘ y, gy += g ∘ x. */
  mulBackward(count: number, x: F32Block, y: F32Block, g: F32Block, gx: F32Block, gy: F32Block): void {
    this.flat('mulBackward', count, [['x', x], ['y', y], ['g', g]], [['gx', gx], ['gy', gy]]);
    this.ex.mulBackward(count, x.offset, y.offset, g.offset, gx.offset, gy.offset);
  }

  /** out = x·y per complex coordinate of n rows of even width d in [Re | Im] layout. */
  complexMulForward(n: number, d: number, x: F32Block, y: F32Block, out: F32Block): void {
    if (d % 2 !== 0) fail(`complexMulForward: d must be even, got ${d}`);
    this.flat('complexMulForward', n * d, [['x', x], ['y', y]], [['out', out]]);
    this.ex.complexMulForward(n, d, x.offset, y.offset, out.offset);
  }

  /** VJP of complexMulForward: gx += g·conj(y), gy += g·conj(x). */
  complexMulBackward(n: number, d: number, x: F32Block, y: F32Block, g: F32Block, gx: F32Block, gy: F32Block): void {
    if (d % 2 !== 0) fail(`complexMulBackward: d must be even, got ${d}`);
    this.flat('complexMulBackward', n * d, [['x', x], ['y', y], ['g', g]], [['gx', gx], ['gy', gy]]);
    this.ex.complexMulBackward(n, d, x.offset, y.offset, g.offset, gx.offset, gy.offset);
  }

  /** block[0..count) = 0 (a TypedArray fill over shared memory is ~10× slower). */
  zeroFloats(count: number, block: F32Block): void {
    this.flat('zeroFloats', count, [], [['block', block]]);
    this.ex.zeroFloats(count, block.offset);
  }

  private checkCandidates(fn: string, Q: number, M: number, cand: I32Block, bias: F32Block | null): void {
    int(fn, 'Q', Q);
    int(fn, 'M', M);
    this.c.block(fn, 'cand', cand, Q * M);
    if (bias) {
      this.c.block(fn, 'bias', bias, 1);
      this.c.inRange(fn, 'cand', cand, Q * M, bias.length);
    }
  }

  private checkPoincare(fn: string, B: number, M: number, d: number, q: F32Block, cand: I32Block, table: F32Block,
    c: F32Block): void {
    int(fn, 'B', B);
    int(fn, 'M', M, 1);
    dim(fn, d);
    this.c.block(fn, 'q', q, B * d);
    this.c.block(fn, 'cand', cand, B * M);
    const N = this.c.table(fn, 'table', table, d);
    this.c.inRange(fn, 'cand', cand, B * M, N);
    this.c.block(fn, 'c', c, B);
    curvatures(fn, c.array, B);
  }

  private checkValues(fn: string, n: number, ids: I32Block, table: F32Block, dense: F32Block): void {
    int(fn, 'n', n);
    this.c.block(fn, 'ids', ids, n);
    this.c.block(fn, 'dense', dense, n);
    this.c.block(fn, 'table', table, 1);
    this.c.inRange(fn, 'ids', ids, n, table.length);
    const all: Named[] = [['ids', ids], ['dense', dense], ['table', table]];
    this.c.disjoint(fn, all, all);
  }

  /** Row kernels: d-wide rows [n×d], width-1 rows [n], outputs (and accumulated grads) disjoint from inputs. */
  private rows(fn: string, n: number, d: number, wide: Named[], narrow: Named[], outs: Named[],
    aux: [string, F32Block, number][], narrowOuts: Named[] = []): void {
    int(fn, 'n', n);
    dim(fn, d);
    for (const [name, b] of [...wide, ...outs]) this.c.block(fn, name, b, n * d);
    for (const [name, b] of [...narrow, ...narrowOuts]) this.c.block(fn, name, b, n);
    for (const [name, b, w] of aux) this.c.block(fn, name, b, n * w);
    const auxNamed: Named[] = aux.map(([name, b]) => [name, b]);
    const ins = [...wide, ...narrow];
    this.c.disjoint(fn, [...outs, ...narrowOuts], [...ins, ...auxNamed]);
    // a forward writes aux; a VJP reads it
    this.c.disjoint(fn, auxNamed, ins);
  }

  private flat(fn: string, count: number, ins: Named[], outs: Named[]): void {
    int(fn, 'count', count);
    for (const [name, b] of [...ins, ...outs]) this.c.block(fn, name, b, count);
    this.c.disjoint(fn, outs, ins);
  }
}
