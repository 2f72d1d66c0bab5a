/**
 * Seeded stratified train/test split and row selection for image sets: every class contributes round(n_c · f)
 * images to the test part (at least one when it has two or more), drawn by a seeded shuffle of its indices.
 */
import { SeededRandom } from '../../../core/random.js';
import { IMAGE_PIXELS } from '../nets/network.js';
import type { ImageSet } from './digits.js';

/** The rows `ids` of a set, in that order. */
export function selectRows(set: ImageSet, ids: ArrayLike<number>): ImageSet {
  const n = ids.length;
  const x = new Float32Array(n * IMAGE_PIXELS);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = ids[i]!;
    x.set(set.x.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    y[i] = set.y[row]!;
  }
  return { x, y, n, classes: set.classes };
}

/** Test-row indices per the stratified rule, plus the rest as train, both sorted. */
export function stratifiedIndices(labels: Int32Array, classes: number, testFraction: number, seed: number | string): { train: Int32Array; test: Int32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`test fraction must be in (0, 1) (got ${testFraction})`);
  const rng = new SeededRandom(`split:${seed}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  const test: number[] = [];
  const train: number[] = [];
  for (const members of byClass) {
    const order = rng.shuffle(Int32Array.from(members));
    let take = Math.round(members.length * testFraction);
    if (members.length >= 2) take = Math.min(Math.max(take, 1), members.length - 1);
    order.forEach((row, i) => (i < take ? test : train).push(row));
  }
  const sorted = (rows: number[]): Int32Array => Int32Array.from(rows).sort();
  return { train: sorted(train), test: sorted(test) };
}

/** A seeded stratified train/test split of an image set. */
export function stratifiedSplit(set: ImageSet, testFraction: number, seed: number | string): { train: ImageSet; test: ImageSet } {
  const { train, test } = stratifiedIndices(set.y, set.classes, testFraction, seed);
  return { train: selectRows(set, train), test: selectRows(set, test) };
}

/** Images per class. */
export function classCounts(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes).fill(0);
  for (const label of set.y) counts[label]!++;
  return counts;
}
