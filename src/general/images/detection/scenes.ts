/**
 * The digits detection set (after Chen et al. NeurIPS 2017's setting: a detector classifies region proposals
 * into object classes or a dominant background class, and regresses a box for objects). Every digit becomes an
 * object image, shifted by a seeded offset in ±maxShift pixels, labelled with its digit and the box of its inked
 * pixels; `backgroundRatio` background images per object are added, labelled `BACKGROUND` (class 10) with no box:
 * in turn a blank frame with faint noise, a frame of heavy pixel noise, and a fragment of a digit (one random
 * 3×3 window of its pixels, like a proposal that only touches an object).
 */
import { z } from 'zod';
import { SeededRandom } from '../../../core/random.js';
import { shiftImage } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { IMAGE_PIXELS, IMAGE_SIDE } from '../nets/network.js';
import { inkedBox } from './boxes.js';

/** The background class (after the digits 0–9). */
export const BACKGROUND = 10;
/** Classes of the detection task. */
export const DETECTION_CLASSES = 11;

/** Settings of the set. */
export const detectionSetSchema = z.object({
  backgroundRatio: z.number().min(0).default(3),
  maxShift: z.number().int().min(0).max(3).default(2),
}).strict();

/** Validated settings. */
export type DetectionSetSettings = z.infer<typeof detectionSetSchema>;

/** Images with labels 0..10 and boxes [n, 4] (zeros for background), plus an object mask. */
export interface DetectionSet extends ImageSet {
  boxes: Float32Array;
  /** 1 for object images, 0 for background. */
  objects: Float32Array;
}

/** Writes one background image of kind `kind` (0 blank, 1 noise, 2 digit fragment) into `out`. */
export function backgroundImage(kind: number, source: ImageSet, rng: SeededRandom, out: Float32Array): void {
  out.fill(0);
  if (kind === 0) {
    for (let j = 0; j < IMAGE_PIXELS; j++) out[j] = 0.05 * rng.next();
  } else if (kind === 1) {
    const sigma = 0.1 + 0.3 * rng.next();
    for (let j = 0; j < IMAGE_PIXELS; j++) out[j] = Math.min(1, Math.abs(sigma * rng.normal()));
  } else {
    const row = rng.int(source.n);
    const r0 = rng.int(IMAGE_SIDE - 2);
    const c0 = rng.int(IMAGE_SIDE - 2);
    for (let r = r0; r < r0 + 3; r++) for (let c = c0; c < c0 + 3; c++) out[r * IMAGE_SIDE + c] = source.x[row * IMAGE_PIXELS + r * IMAGE_SIDE + c]!;
  }
}

/** Builds the detection set from a digits split (objects first, then backgrounds; seeded). */
export function buildDetectionSet(source: ImageSet, settings: DetectionSetSettings, seed: number | string): DetectionSet {
  const rng = new SeededRandom(`detection-set:${seed}`);
  const backgrounds = Math.round(settings.backgroundRatio * source.n);
  const n = source.n + backgrounds;
  const x = new Float32Array(n * IMAGE_PIXELS);
  const y = new Int32Array(n);
  const boxes = new Float32Array(n * 4);
  const objects = new Float32Array(n);
  const img = new Float32Array(IMAGE_PIXELS);
  const span = 2 * settings.maxShift + 1;
  for (let i = 0; i < source.n; i++) {
    let box = null;
    // A shift that pushes all ink out of the frame is redrawn (the unshifted digit always has ink).
    for (let attempt = 0; box === null; attempt++) {
      const dx = attempt < 10 ? rng.int(span) - settings.maxShift : 0;
      const dy = attempt < 10 ? rng.int(span) - settings.maxShift : 0;
      shiftImage(source.x.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), dx, dy, img);
      box = inkedBox(img);
      if (box === null && attempt >= 10) throw new Error(`detection set: digit ${i} has no inked pixel`);
    }
    x.set(img, i * IMAGE_PIXELS);
    y[i] = source.y[i]!;
    boxes.set(box, i * 4);
    objects[i] = 1;
  }
  for (let k = 0; k < backgrounds; k++) {
    const i = source.n + k;
    backgroundImage(k % 3, source, rng, img);
    x.set(img, i * IMAGE_PIXELS);
    y[i] = BACKGROUND;
  }
  return { x, y, n, classes: DETECTION_CLASSES, boxes, objects };
}
