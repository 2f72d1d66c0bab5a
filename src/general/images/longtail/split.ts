/**
 * A long-tailed version of a (balanced) training set: class k of C keeps n_k = ⌊n_max · ρ^{−k/(C−1)}⌋ (≥ 1)
 * seeded random samples, the exponential profile of CIFAR-LT (Cao et al. 2019) with imbalance ratio
 * ρ = n_max / n_min; which class is the head is a seeded permutation. Test sets stay balanced. Classes are grouped
 * into many-shot (> 100 training images), medium-shot (20–100) and few-shot (< 20) as in ImageNet-LT (Liu et al.
 * 2019), the grouping CBD reports (Iscen et al. 2021, §4).
 */
import { SeededRandom } from '../../../core/random.js';
import type { ImageSet } from '../data/digits.js';
import { selectRows } from '../data/split.js';

/** Images per class by rank (head first): ⌊n_max · ρ^{−r/(C−1)}⌋, at least 1. */
export function longTailCounts(nMax: number, classes: number, ratio: number): number[] {
  if (!(ratio >= 1)) throw new Error(`imbalance ratio must be ≥ 1 (got ${ratio})`);
  if (classes === 1) return [nMax];
  return Array.from({ length: classes }, (_, r) => Math.max(1, Math.floor(nMax * ratio ** (-r / (classes - 1)) + 1e-9)));
}

/** The long-tailed subset: its images, the per-class counts it kept, and the class order (head first). */
export interface LongTailSet {
  set: ImageSet;
  counts: number[];
  order: number[];
}

/** Subsamples `set` to a seeded long-tailed profile with imbalance ratio `ratio`; n_max = the smallest class size. */
export function longTailSubset(set: ImageSet, ratio: number, seed: number | string): LongTailSet {
  const rng = new SeededRandom(`long-tail:${seed}`);
  const members: number[][] = Array.from({ length: set.classes }, () => []);
  for (let i = 0; i < set.n; i++) members[set.y[i]!]!.push(i);
  const nMax = Math.min(...members.map((m) => m.length));
  const order = Array.from(rng.permutation(set.classes));
  const byRank = longTailCounts(nMax, set.classes, ratio);
  const counts = new Array<number>(set.classes).fill(0);
  const kept: number[] = [];
  order.forEach((c, rank) => {
    counts[c] = byRank[rank]!;
    const shuffled = rng.shuffle(Int32Array.from(members[c]!));
    kept.push(...shuffled.subarray(0, counts[c]));
  });
  kept.sort((a, b) => a - b);
  return { set: selectRows(set, kept), counts, order };
}

/** The shot group of each class by its training count: many (> 100), medium (20–100), few (< 20). */
export function shotGroups(counts: readonly number[]): ('many' | 'medium' | 'few')[] {
  return counts.map((n) => (n > 100 ? 'many' : n >= 20 ? 'medium' : 'few'));
}
