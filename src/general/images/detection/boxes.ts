/**
 * Boxes of the digits detection task: the target of an object image is the bounding box of its inked pixels
 * (value > threshold), as (x0, y0, x1, y1) in units of the image side (x1, y1 exclusive: a box covering columns
 * 2..5 has x0 = 2/8, x1 = 6/8); intersection over union of two such boxes.
 */
import { IMAGE_SIDE } from '../nets/network.js';

/** A box (x0, y0, x1, y1), fractions of the image side. */
export type Box = [number, number, number, number];

/** Pixels above this value count as ink. */
export const INK_THRESHOLD = 0.3;

/** The bounding box of the pixels of `img` above `threshold`, or null when nothing is inked. */
export function inkedBox(img: ArrayLike<number>, threshold = INK_THRESHOLD): Box | null {
  let r0 = IMAGE_SIDE;
  let c0 = IMAGE_SIDE;
  let r1 = -1;
  let c1 = -1;
  for (let r = 0; r < IMAGE_SIDE; r++) {
    for (let c = 0; c < IMAGE_SIDE; c++) {
      if (img[r * IMAGE_SIDE + c]! <= threshold) continue;
      r0 = Math.min(r0, r);
      c0 = Math.min(c0, c);
      r1 = Math.max(r1, r);
      c1 = Math.max(c1, c);
    }
  }
  if (r1 < 0) return null;
  return [c0 / IMAGE_SIDE, r0 / IMAGE_SIDE, (c1 + 1) / IMAGE_SIDE, (r1 + 1) / IMAGE_SIDE];
}

/** Intersection over union of two boxes (a predicted box's corners are sorted first; empty union → 0). */
export function iou(a: Box, b: Box): number {
  const [ax0, ax1] = a[0] <= a[2] ? [a[0], a[2]] : [a[2], a[0]];
  const [ay0, ay1] = a[1] <= a[3] ? [a[1], a[3]] : [a[3], a[1]];
  const w = Math.max(0, Math.min(ax1, b[2]) - Math.max(ax0, b[0]));
  const h = Math.max(0, Math.min(ay1, b[3]) - Math.max(ay0, b[1]));
  const inter = w * h;
  const union = (ax1 - ax0) * (ay1 - ay0) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
