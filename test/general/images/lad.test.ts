// Label assignment pieces: anchors and their IoU, the 1-D GMM, PAA's separation, and Co-LAD's scores.
import { describe, expect, it } from 'vitest';
import { ANCHORS, anchorIou, anchorWindows } from '../../../src/general/images/lad/anchors.js';
import { fitGmm1d } from '../../../src/general/images/lad/gmm.js';
import { anchorCosts, assignLabels, focalTerm, performanceScore } from '../../../src/general/images/lad/assign.js';

describe('anchors', () => {
  it('are the 9 windows at offsets {−2, 0, 2}² with IoU (8−|dx|)(8−|dy|)/(128 − overlap)', () => {
    expect(ANCHORS).toHaveLength(9);
    expect(ANCHORS[4]).toEqual({ dx: 0, dy: 0 });
    expect(anchorIou({ dx: 0, dy: 0 })).toBe(1);
    expect(anchorIou({ dx: 2, dy: 0 })).toBeCloseTo(48 / 80, 10);
    expect(anchorIou({ dx: -2, dy: 2 })).toBeCloseTo(36 / 92, 10);
  });

  it('cut windows out of the zero-padded image (centre window = the image)', () => {
    const img = Float32Array.from({ length: 64 }, (_, i) => i + 1);
    const windows = anchorWindows(img, 1);
    expect(Array.from(windows.subarray(4 * 64, 5 * 64))).toEqual(Array.from(img));
    // Anchor 0 is at (−2, −2): its window starts two rows and columns before the image.
    const first = windows.subarray(0, 64);
    expect(first[0]).toBe(0);
    expect(first[2 * 8 + 2]).toBe(img[0]);
  });
});

describe('two-component GMM', () => {
  it('separates two clusters with component 0 at the low mean', () => {
    const fit = fitGmm1d([0.1, 0.12, 0.09, 0.11, 2.0, 2.1, 1.95]);
    expect(fit.means[0]).toBeCloseTo(0.105, 2);
    expect(fit.means[1]).toBeCloseTo(2.0167, 2);
    expect(Array.from(fit.assignment)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(fit.weights[0] + fit.weights[1]).toBeCloseTo(1, 10);
  });

  it('puts identical values in one component', () => {
    const fit = fitGmm1d([0.5, 0.5, 0.5]);
    expect(Array.from(fit.assignment)).toEqual([0, 0, 0]);
    expect(() => fitGmm1d([])).toThrow(/no values/);
  });
});

describe('PAA assignment', () => {
  it('the focal term is Lin et al. eq. (5)', () => {
    expect(focalTerm(0, 1, 2, 0.25)).toBeCloseTo(0.25 * 0.25 * Math.log(2), 10);
    expect(focalTerm(0, 0, 2, 0.25)).toBeCloseTo(0.75 * 0.25 * Math.log(2), 10);
    expect(focalTerm(5, 1, 0, 1)).toBeCloseTo(Math.log(1 + Math.exp(-5)), 10);
  });

  it('costs fuse the prediction for the true class with the anchor IoU', () => {
    // One image, 2 anchors, 2 classes, label 1; anchor 0 predicts class 1 confidently, anchor 1 class 0.
    const logits = Float32Array.of(-4, 4, 4, -4);
    const costs = anchorCosts(logits, Int32Array.of(1), [1, 0.5], 2, { gamma: 2, alpha: 0.25, iouWeight: 1 });
    expect(costs[0]).toBeCloseTo(focalTerm(-4, 0, 2, 0.25) + focalTerm(4, 1, 2, 0.25), 6);
    expect(costs[1]).toBeCloseTo(focalTerm(4, 0, 2, 0.25) + focalTerm(-4, 1, 2, 0.25) + 0.5, 6);
    expect(costs[1]).toBeGreaterThan(costs[0]!);
    expect(() => anchorCosts(logits, Int32Array.of(1, 2), [1, 0.5], 2, { gamma: 2, alpha: 0.25, iouWeight: 1 })).toThrow(/expected 8 logits/);
  });

  it('positives are the low-cost anchors up to the foreground mode; targets one-hot for them, zero for background', () => {
    // Foreground component {0.1, 0.11, 0.12}: in cost order, PAA keeps anchors up to the one of highest mixture
    // density — the middle value 0.11 (anchor 4) — so 0.12 (anchor 2) is background too.
    const costs = Float32Array.of(0.1, 3.0, 0.12, 2.9, 0.11, 3.1);
    const assignment = assignLabels(costs, Int32Array.of(2), 6, 3);
    expect(Array.from(assignment.positive)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(assignment.positives).toBe(2);
    expect(Array.from(assignment.targets.subarray(0, 3))).toEqual([0, 0, 1]);
    expect(Array.from(assignment.targets.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(assignment.targets.subarray(12, 15))).toEqual([0, 0, 1]);
    expect(assignment.fisher[0]).toBeGreaterThan(100);
    // Every image keeps at least its cheapest anchor.
    const flat = assignLabels(Float32Array.of(1, 1, 1), Int32Array.of(0), 3, 2);
    expect(flat.positives).toBeGreaterThanOrEqual(1);
  });

  it('Co-LAD scores prefer the network whose costs separate better', () => {
    const sharp = Float32Array.of(0.1, 3.0, 0.12, 2.9);
    const blurred = Float32Array.of(1.0, 1.4, 1.1, 1.3);
    for (const criterion of ['std-mean', 'fisher'] as const) {
      const a = performanceScore(sharp, assignLabels(sharp, Int32Array.of(0, 1), 2, 2), criterion);
      const b = performanceScore(blurred, assignLabels(blurred, Int32Array.of(0, 1), 2, 2), criterion);
      expect(a).toBeGreaterThan(b);
    }
    // σ/μ by hand: values 1, 3 → μ = 2, σ = 1.
    expect(performanceScore(Float32Array.of(1, 3), assignLabels(Float32Array.of(1, 3), Int32Array.of(0), 2, 2), 'std-mean')).toBeCloseTo(0.5, 10);
  });
});
