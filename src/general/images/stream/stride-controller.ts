/**
 * The teacher-query schedule of online stream distillation (JITNet; Mullapudi, Chen, Zhang, Ramanan & Fatahalian,
 * "Online Model Distillation for Efficient Video Inference", ICCV 2019, arXiv 1812.02699, §3.2 Algorithm 1):
 * the expensive teacher labels a key frame every δ frames; on a key frame the student is updated while its
 * accuracy against the teacher's labels is below a threshold a_thr, at most u_max updates; then the stride
 * doubles when the student reached the threshold (δ ← min(2δ, δ_max)) and halves when it did not
 * (δ ← max(⌊δ/2⌋, δ_min)). The next key frame is t + δ (the paper's t mod δ = 0, without its phase jumps).
 * A fixed stride is the same controller with δ_min = δ_max.
 */
import { z } from 'zod';

/** Fields of the controller settings (paper: δ_min 8, δ_max 64, a_thr 0.8 mean IoU, u_max 8 at 30 fps). */
export const strideFields = {
  minStride: z.number().int().min(1).default(2),
  maxStride: z.number().int().min(1).default(32),
  /** a_thr: the student's accuracy against the teacher on a key frame that counts as good enough. */
  threshold: z.number().min(0).max(1).default(0.9),
  /** u_max: largest number of student updates on one key frame. */
  maxUpdates: z.number().int().min(0).default(8),
  /** Stride at the start (default δ_min, as in the paper). */
  initialStride: z.number().int().min(1).optional(),
};

/** Schema of the controller settings alone. */
export const strideSchema = z.object(strideFields).strict().refine((s) => s.maxStride >= s.minStride, { message: 'maxStride must be ≥ minStride' });

/** Validated controller settings. */
export type StrideSettings = z.infer<typeof strideSchema>;

/** The adaptive key-frame schedule of JITNet's Algorithm 1. */
export class StrideController {
  private strideValue: number;
  private next = 0;

  constructor(readonly settings: StrideSettings) {
    const initial = settings.initialStride ?? settings.minStride;
    this.strideValue = Math.min(settings.maxStride, Math.max(settings.minStride, initial));
  }

  /** A controller that queries every `stride` frames (δ_min = δ_max = stride) with the same update rule. */
  static fixed(stride: number, threshold: number, maxUpdates: number): StrideController {
    return new StrideController(strideSchema.parse({ minStride: stride, maxStride: stride, threshold, maxUpdates }));
  }

  /** The current stride δ. */
  get stride(): number {
    return this.strideValue;
  }

  /** The index of the next key frame. */
  get nextKeyframe(): number {
    return this.next;
  }

  /** True when frame t is a key frame (the teacher labels it). */
  isKeyframe(t: number): boolean {
    return t >= this.next;
  }

  /** True when the student should take another update on the key frame: accuracy < a_thr and updates < u_max. */
  shouldUpdate(accuracy: number, updatesDone: number): boolean {
    return accuracy < this.settings.threshold && updatesDone < this.settings.maxUpdates;
  }

  /** Closes key frame t given the student's final accuracy on it: doubles or halves δ and schedules t + δ. */
  endKeyframe(t: number, accuracy: number): void {
    const { minStride, maxStride, threshold } = this.settings;
    this.strideValue = accuracy >= threshold ? Math.min(2 * this.strideValue, maxStride) : Math.max(Math.floor(this.strideValue / 2), minStride);
    this.next = t + this.strideValue;
  }
}
