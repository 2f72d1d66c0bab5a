/**
 * The progress a `last` checkpoint saves (epochs done, the best so far, early stopping's count, the position inside
 * an interrupted epoch, the learning-rate schedule, the random and optimiser state) and its check on resume: a
 * hand-edited or foreign header is refused naming the file and key, before anything is trained or written (an
 * epoch "three" emptied metrics.jsonl; a missing random state resumed on a fresh stream, silently unlike the run).
 */
import { z } from 'zod';
import { OPTIMIZER_NAMES, type OptimizerName } from './optimizers.js';

const count = z.number().int().min(0);
const finite = z.number().finite();

/** Progress saved with every checkpoint (the `best` one too; `last` adds the state of resumableSchema). */
const progressSchema = z.object({
  /** Epochs completed. */
  epoch: count,
  /** Best validation MRR so far; −1 before the first validation. */
  bestMrr: z.number().min(-1).max(1),
  bestEpoch: count,
  badValidations: count,
  stopped: z.boolean(),
  /**
   * Steps taken in epoch `epoch + 1` when the run was interrupted inside it, with their summed loss (and the sums of
   * the objective's loss terms, `TrainingObjective.lossTermSums`, where it has several).
   */
  partial: z.object({ step: count, lossSum: finite, seconds: finite.min(0), terms: z.record(z.string(), finite).optional() }).optional(),
  /** Loss of the first and every later epoch's range, for the "did it learn" warning. */
  loss: z.object({ first: finite, min: finite, max: finite }).optional(),
  /** The plateau schedule of the learning rate (absent: no schedule, the config's rate throughout). */
  schedule: z.object({ learningRate: finite.positive(), stale: count }).optional(),
});

/** What `last` adds: the random stream's state and the optimiser's, without which a resume is not the same run. */
const resumableSchema = progressSchema.extend({
  rng: z.object({ c: finite, s0: finite, s1: finite, s2: finite }),
  optimizerStep: count,
  optimizerName: z.enum(OPTIMIZER_NAMES as [OptimizerName, ...OptimizerName[]]),
});

/** Progress saved with every checkpoint: what the trainer keeps as it goes. */
export type Progress = z.infer<typeof progressSchema>;

/** The progress of a `last` checkpoint, with the state a resume needs. */
export type ResumableProgress = z.infer<typeof resumableSchema>;

/** Reads `last`'s progress, or throws naming `source` and each bad key (`progress.<key>`). */
export function parseResumableProgress(progress: unknown, source: string): ResumableProgress {
  const parsed = resumableSchema.safeParse(progress);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `progress.${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new Error(`${source}: ${problems}; the checkpoint cannot be resumed`);
}
