/**
 * The semi-supervised split of SimCLRv2's experiments (1% / 10% of the labels): per class, a seeded
 * max(1, round(n_c · fraction)) images keep their labels; the rest of the set is the unlabelled pool.
 */
import { SeededRandom } from '../../../core/random.js';
import type { ImageSet } from '../data/digits.js';
import { selectRows } from '../data/split.js';

/** The labelled subset and the unlabelled rest (labels kept only for evaluation, never trained on). */
export interface LabelSplit {
  labelled: ImageSet;
  unlabelled: ImageSet;
}

/** Row indices of the labelled subset, sorted. */
export function labelledIndices(labels: Int32Array, classes: number, fraction: number, seed: number | string): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`label fraction must be in (0, 1] (got ${fraction})`);
  const rng = new SeededRandom(`labels:${seed}`);
  const chosen: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members: number[] = [];
    labels.forEach((y, i) => {
      if (y === c) members.push(i);
    });
    if (members.length === 0) continue;
    const order = rng.shuffle(Int32Array.from(members));
    const take = Math.max(1, Math.round(members.length * fraction));
    chosen.push(...order.subarray(0, take));
  }
  return Int32Array.from(chosen).sort();
}

/** Splits a set into a labelled fraction and the unlabelled rest. */
export function splitLabels(set: ImageSet, fraction: number, seed: number | string): LabelSplit {
  const ids = labelledIndices(set.y, set.classes, fraction, seed);
  const keep = new Uint8Array(set.n);
  for (const i of ids) keep[i] = 1;
  const rest: number[] = [];
  for (let i = 0; i < set.n; i++) if (!keep[i]) rest.push(i);
  return { labelled: selectRows(set, ids), unlabelled: selectRows(set, rest) };
}
