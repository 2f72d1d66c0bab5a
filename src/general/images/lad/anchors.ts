/**
 * Anchors for label assignment at the scale of 8×8 digits. Each image is one object whose ground-truth box is the
 * whole frame; an anchor is the 8×8 window at offset (dx, dy) ∈ {−2, 0, 2}² of the zero-padded image, i.e. the
 * image shifted by (−dx, −dy). An anchor's IoU with the ground truth is (8 − |dx|)(8 − |dy|) / (2·64 − that).
 * Off-centre windows cut part of the digit off: whether one still counts as the digit (positive) or as background
 * (negative) is what label assignment decides — the role anchors play in PAA and LAD.
 */
import { IMAGE_PIXELS, IMAGE_SIDE } from '../nets/network.js';
import { shiftImage } from '../data/augment.js';

/** An anchor's offset from the ground-truth box. */
export interface AnchorOffset { dx: number; dy: number }

/** The 9 anchors: offsets {−2, 0, 2}², the centred one in the middle (index 4). */
export const ANCHORS: readonly AnchorOffset[] = [-2, 0, 2].flatMap((dy) => [-2, 0, 2].map((dx) => ({ dx, dy })));

/** IoU of an anchor window with the ground-truth frame. */
export function anchorIou(anchor: AnchorOffset): number {
  const overlap = (IMAGE_SIDE - Math.abs(anchor.dx)) * (IMAGE_SIDE - Math.abs(anchor.dy));
  return overlap / (2 * IMAGE_PIXELS - overlap);
}

/** The anchor windows of n images, image-major: row b·A + a is anchor a of image b. */
export function anchorWindows(x: Float32Array, n: number, anchors: readonly AnchorOffset[] = ANCHORS): Float32Array {
  const out = new Float32Array(n * anchors.length * IMAGE_PIXELS);
  const window = new Float32Array(IMAGE_PIXELS);
  for (let b = 0; b < n; b++) {
    const img = x.subarray(b * IMAGE_PIXELS, (b + 1) * IMAGE_PIXELS);
    anchors.forEach((anchor, a) => {
      shiftImage(img, -anchor.dx, -anchor.dy, window);
      out.set(window, (b * anchors.length + a) * IMAGE_PIXELS);
    });
  }
  return out;
}
