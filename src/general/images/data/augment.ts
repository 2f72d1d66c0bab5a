/**
 * Augmentations of 8×8 images for contrastive methods (SimCLR-style views at this scale): a small rotation
 * (bilinear, about the centre), an integer shift, and Gaussian pixel noise, each drawn from a seeded stream.
 * Pixels leaving the frame are lost and uncovered pixels are 0 (background); values are clipped to [0, 1].
 */
import { z } from 'zod';
import type { SeededRandom } from '../../../core/random.js';
import { IMAGE_PIXELS, IMAGE_SIDE } from '../nets/network.js';

/** Strengths of the augmentations. */
export const augmentationSchema = z.object({
  /** Largest rotation, degrees (uniform in ±). */
  maxDegrees: z.number().min(0).max(90).default(15),
  /** Largest shift, pixels (integer, uniform in ±, per axis). */
  maxShift: z.number().int().min(0).max(4).default(1),
  /** Standard deviation of the Gaussian noise added to each pixel. */
  noise: z.number().min(0).max(1).default(0.1),
}).strict();

/** Augmentation settings. */
export type AugmentationOptions = z.infer<typeof augmentationSchema>;

/** Writes `img` shifted by (dx, dy) pixels (right, down) into `out`, zero-filled. */
export function shiftImage(img: Float32Array, dx: number, dy: number, out = new Float32Array(IMAGE_PIXELS)): Float32Array {
  out.fill(0);
  for (let r = 0; r < IMAGE_SIDE; r++) {
    const sr = r - dy;
    if (sr < 0 || sr >= IMAGE_SIDE) continue;
    for (let c = 0; c < IMAGE_SIDE; c++) {
      const sc = c - dx;
      if (sc >= 0 && sc < IMAGE_SIDE) out[r * IMAGE_SIDE + c] = img[sr * IMAGE_SIDE + sc]!;
    }
  }
  return out;
}

/** Writes `img` rotated by `degrees` (counter-clockwise) about the image centre into `out`, bilinear, zero-filled. */
export function rotateImage(img: Float32Array, degrees: number, out = new Float32Array(IMAGE_PIXELS)): Float32Array {
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const centre = (IMAGE_SIDE - 1) / 2;
  const at = (r: number, c: number): number => (r >= 0 && r < IMAGE_SIDE && c >= 0 && c < IMAGE_SIDE ? img[r * IMAGE_SIDE + c]! : 0);
  for (let r = 0; r < IMAGE_SIDE; r++) {
    for (let c = 0; c < IMAGE_SIDE; c++) {
      // Inverse map: the source point that lands on (r, c).
      const y = r - centre;
      const x = c - centre;
      const sx = cos * x - sin * y + centre;
      const sy = sin * x + cos * y + centre;
      const r0 = Math.floor(sy);
      const c0 = Math.floor(sx);
      const fr = sy - r0;
      const fc = sx - c0;
      out[r * IMAGE_SIDE + c] = (1 - fr) * ((1 - fc) * at(r0, c0) + fc * at(r0, c0 + 1)) + fr * ((1 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1));
    }
  }
  return out;
}

/** Adds N(0, σ²) noise to each pixel in place and clips to [0, 1]. */
export function addNoise(img: Float32Array, sigma: number, rng: SeededRandom): Float32Array {
  for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i]! + sigma * rng.normal()));
  return img;
}

/** One random view of each of `n` images (rotation, then shift, then noise). */
export function augmentImages(x: Float32Array, n: number, options: AugmentationOptions, rng: SeededRandom): Float32Array {
  const out = new Float32Array(n * IMAGE_PIXELS);
  const rotated = new Float32Array(IMAGE_PIXELS);
  const shifted = new Float32Array(IMAGE_PIXELS);
  for (let i = 0; i < n; i++) {
    const img = x.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    const degrees = (2 * rng.next() - 1) * options.maxDegrees;
    rotateImage(img, degrees, rotated);
    const span = 2 * options.maxShift + 1;
    shiftImage(rotated, rng.int(span) - options.maxShift, rng.int(span) - options.maxShift, shifted);
    if (options.noise > 0) addNoise(shifted, options.noise, rng);
    out.set(shifted, i * IMAGE_PIXELS);
  }
  return out;
}
