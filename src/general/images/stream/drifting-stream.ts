/**
 * A drifting "video" of digit frames for online distillation: the stream is cut into scenes; each scene shows
 * only a few digit classes under its own rotation, shift and pixel noise (a camera and subject change at every
 * cut), and a frame is a handful of images drawn from the scene's classes (the "pixels" a student labels).
 * Everything is drawn from one seeded stream, so the same seed gives the same video.
 */
import { z } from 'zod';
import { SeededRandom } from '../../../core/random.js';
import { addNoise, rotateImage, shiftImage } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { IMAGE_PIXELS } from '../nets/network.js';

/** Settings of a stream. */
export const streamSchema = z.object({
  frames: z.number().int().min(1).default(1200),
  /** Images per frame. */
  frameSize: z.number().int().min(1).default(16),
  /** Frames per scene. */
  sceneLength: z.number().int().min(1).default(150),
  classesPerScene: z.number().int().min(1).max(10).default(3),
  /** A scene's rotation is uniform in ±maxDegrees; each image adds ±jitterDegrees. */
  maxDegrees: z.number().min(0).max(90).default(30),
  jitterDegrees: z.number().min(0).max(45).default(5),
  /** A scene's shift is uniform in ±maxShift pixels per axis. */
  maxShift: z.number().int().min(0).max(3).default(1),
  /** A scene's noise σ is uniform in [0, maxNoise]. */
  maxNoise: z.number().min(0).max(1).default(0.2),
}).strict();

/** Validated stream settings. */
export type StreamSettings = z.infer<typeof streamSchema>;

/** The conditions of one scene. */
export interface Scene { classes: number[]; degrees: number; dx: number; dy: number; noise: number }

/** One frame: its images and labels, and its scene. */
export interface Frame extends ImageSet { scene: number }

/** The scene conditions drawn for `count` scenes. */
export function drawScenes(count: number, classes: number, settings: StreamSettings, rng: SeededRandom): Scene[] {
  const span = 2 * settings.maxShift + 1;
  return Array.from({ length: count }, () => ({
    classes: Array.from(rng.permutation(classes).subarray(0, settings.classesPerScene)).sort((a, b) => a - b),
    degrees: (2 * rng.next() - 1) * settings.maxDegrees,
    dx: rng.int(span) - settings.maxShift,
    dy: rng.int(span) - settings.maxShift,
    noise: rng.next() * settings.maxNoise,
  }));
}

/** The frames of a drifting stream over the images of `source` (drawn with replacement within each scene). */
export function driftingStream(source: ImageSet, settings: StreamSettings, seed: number | string): { frames: Frame[]; scenes: Scene[] } {
  const rng = new SeededRandom(`stream:${seed}`);
  const scenes = drawScenes(Math.ceil(settings.frames / settings.sceneLength), source.classes, settings, rng);
  const byClass: number[][] = Array.from({ length: source.classes }, () => []);
  for (let i = 0; i < source.n; i++) byClass[source.y[i]!]!.push(i);
  const rotated = new Float32Array(IMAGE_PIXELS);
  const frames: Frame[] = [];
  for (let t = 0; t < settings.frames; t++) {
    const s = Math.floor(t / settings.sceneLength);
    const scene = scenes[s]!;
    const n = settings.frameSize;
    const x = new Float32Array(n * IMAGE_PIXELS);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const pool = byClass[scene.classes[rng.int(scene.classes.length)]!]!;
      if (pool.length === 0) throw new Error(`stream: no source image of class ${scene.classes.join('/')}`);
      const row = pool[rng.int(pool.length)]!;
      const img = source.x.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS);
      rotateImage(img, scene.degrees + (2 * rng.next() - 1) * settings.jitterDegrees, rotated);
      const out = shiftImage(rotated, scene.dx, scene.dy);
      if (scene.noise > 0) addNoise(out, scene.noise, rng);
      x.set(out, i * IMAGE_PIXELS);
      y[i] = source.y[row]!;
    }
    frames.push({ x, y, n, classes: source.classes, scene: s });
  }
  return { frames, scenes };
}
