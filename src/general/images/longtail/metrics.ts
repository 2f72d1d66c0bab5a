/**
 * Long-tail evaluation: per-class accuracy (recall) on the balanced test set, balanced accuracy (their mean) and
 * the mean accuracy of the many-, medium- and few-shot classes (Liu et al. 2019; CBD, Iscen et al. 2021, §4).
 */
import type { ImageSet } from '../data/digits.js';
import type { Network } from '../nets/network.js';
import { argmaxRows, predictLogits } from '../training/supervised.js';
import { shotGroups } from './split.js';

/** The long-tail figures of one model. */
export interface LongTailScores {
  balanced: number;
  many: number;
  medium: number;
  few: number;
  perClass: number[];
}

/** Per-class recall from predictions (NaN for a class absent from the labels). */
export function perClassAccuracy(predicted: Int32Array, labels: Int32Array, classes: number): number[] {
  const hits = new Array<number>(classes).fill(0);
  const totals = new Array<number>(classes).fill(0);
  labels.forEach((y, i) => {
    totals[y]!++;
    if (predicted[i] === y) hits[y]!++;
  });
  return totals.map((t, c) => (t > 0 ? hits[c]! / t : Number.NaN));
}

/** Mean of the defined values of `values` at `indices` (NaN when none). */
function meanAt(values: readonly number[], indices: readonly number[]): number {
  const defined = indices.map((i) => values[i]!).filter((v) => !Number.isNaN(v));
  return defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : Number.NaN;
}

/** Balanced and many/medium/few-shot accuracy from per-class accuracy and the training counts. */
export function longTailScoresFrom(perClass: readonly number[], trainCounts: readonly number[]): LongTailScores {
  const groups = shotGroups(trainCounts);
  const all = perClass.map((_, c) => c);
  const of = (g: string): number[] => all.filter((c) => groups[c] === g);
  return { balanced: meanAt(perClass, all), many: meanAt(perClass, of('many')), medium: meanAt(perClass, of('medium')), few: meanAt(perClass, of('few')), perClass: [...perClass] };
}

/** The long-tail figures of a network on a test set. */
export function longTailScores(net: Network, test: ImageSet, trainCounts: readonly number[]): LongTailScores {
  const predicted = argmaxRows(predictLogits(net, test), test.n, net.classes);
  return longTailScoresFrom(perClassAccuracy(predicted, test.y, test.classes), trainCounts);
}
