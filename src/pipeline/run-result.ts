/**
 * A run's result.json (format kgdistill-result, version 1, written atomically): the headline of the run's latest
 * finish, which never describes a best checkpoint other than the run's current one (see `EarlierResult`).
 */
import path from 'node:path';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import type { TrainerEvents } from '../core/trainer.js';
import { readCheckpointHeader, type CheckpointHeader } from '../core/checkpoint.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { evaluationSummary, type EvaluationReport } from '../eval/evaluate.js';
import { sampledSummary, type SampledEvaluationReport } from '../eval/sampled-evaluation.js';
import type { SummaryMetrics } from '../eval/metrics.js';

/** Format name and version of result.json. */
const RESULT_FORMAT = 'kgdistill-result';
const RESULT_VERSION = 1;

/** Path of a run's result file. */
export function resultFile(runDir: string): string {
  return path.join(runDir, 'result.json');
}

/** A finished run's flat test metrics (full or sampled), or undefined when it was not tested. */
export function testMetricsOf(outcome: { test?: EvaluationReport; sampledTest?: SampledEvaluationReport }): SummaryMetrics | undefined {
  return outcome.test ? evaluationSummary(outcome.test) : outcome.sampledTest ? sampledSummary(outcome.sampledTest) : undefined;
}

/** A finished run's headline JSON: its test metrics (full or sampled, when it was tested) before its summary. */
export function headlineOf(outcome: { test?: EvaluationReport; sampledTest?: SampledEvaluationReport; summary: Record<string, unknown> }): Record<string, unknown> {
  const metrics = testMetricsOf(outcome);
  return metrics ? { ...metrics, split: 'test', ...outcome.summary } : { ...outcome.summary };
}

/** Writes `<run>/result.json` (format kgdistill-result, version 1) with the headline JSON of a run. */
export async function writeResult(runDir: string, json: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(resultFile(runDir), JSON.stringify({ format: RESULT_FORMAT, version: RESULT_VERSION, ...json }, null, 2));
}

/** What of a result.json tells which best checkpoint it describes (the rest is the run's headline JSON). */
const resultHeadSchema = z.object({ format: z.literal(RESULT_FORMAT), version: z.literal(RESULT_VERSION), bestEpoch: z.number().int().positive(), mrr: z.number() }).loose();

/** The best epoch a checkpoint header's progress records (0: none yet). */
export function bestEpochOf(header: CheckpointHeader): number {
  const best = (header.progress as { bestEpoch?: unknown }).bestEpoch;
  return typeof best === 'number' ? best : 0;
}

/** The best epoch of the run's best checkpoint on disk (0 when it has none), or undefined when its header cannot be read. */
async function savedBestEpoch(runDir: string): Promise<number | undefined> {
  if (!existsSync(path.join(runDir, 'best.json'))) return 0;
  return readCheckpointHeader(runDir, 'best').then(({ header }) => bestEpochOf(header), () => undefined);
}

/**
 * The result.json a run directory holds when a session begins, and whether it describes the run's best checkpoint
 * then (a valid result with test figures naming that best epoch; one a new run finds describes none). The session
 * removes it just before a new best checkpoint is saved (an atomic unlink), so a session killed without one leaves it
 * as it was; after an error in that save it puts the same bytes back (an atomic write) when the best checkpoint is
 * still the one it describes. Once the session has trained, one that does not describe its best is removed.
 */
export class EarlierResult {
  private removed = false;

  private constructor(private readonly file: string, private readonly text: string | undefined, private readonly describes: number | undefined) {}

  /** Reads `<run>/result.json` (if any) of a run whose best checkpoint is of epoch `bestEpoch` (0: none). */
  static read(runDir: string, bestEpoch: number): EarlierResult {
    const file = resultFile(runDir);
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return new EarlierResult(file, undefined, undefined); // none (or unreadable: left as it is)
    }
    let head: z.infer<typeof resultHeadSchema> | undefined;
    try {
      head = resultHeadSchema.safeParse(JSON.parse(text)).data;
    } catch {
      head = undefined; // not JSON: it describes nothing
    }
    return new EarlierResult(file, text, bestEpoch > 0 && head?.bestEpoch === bestEpoch ? bestEpoch : undefined);
  }

  /** Removes the file (synchronous: the trainer's new-best event calls it just before a new best checkpoint replaces the one it describes). */
  remove(): void {
    if (this.text === undefined || this.removed) return;
    rmSync(this.file, { force: true });
    this.removed = true;
  }

  /** Puts the removed file back when the best checkpoint is still of epoch `bestEpoch`, the one it describes. */
  private async putBack(bestEpoch: number | undefined): Promise<void> {
    if (!this.removed || this.text === undefined || bestEpoch === undefined || this.describes !== bestEpoch) return;
    await writeFileAtomic(this.file, this.text);
    this.removed = false;
  }

  /** After an error in the session: puts the removed file back when the best checkpoint on disk is still the one it describes (nothing else is touched). */
  async putBackAfterError(runDir: string): Promise<void> {
    if (this.removed) await this.putBack(await savedBestEpoch(runDir));
  }

  /**
   * Once the session has trained, its best checkpoint of epoch `bestEpoch`: whether result.json is the earlier one
   * and describes that checkpoint (put back if removed); one that does not is removed.
   */
  async settle(bestEpoch: number): Promise<boolean> {
    await this.putBack(bestEpoch);
    if (this.text !== undefined && this.describes === bestEpoch) return true;
    this.remove();
    return false;
  }
}

/** The trainer's events, with `before` called just before each new best checkpoint is saved. */
export function beforeNewBest(events: TrainerEvents | undefined, before: () => void): TrainerEvents {
  return {
    onRunStart: (firstEpoch, epochs, steps) => events?.onRunStart?.(firstEpoch, epochs, steps),
    onEpochStart: (epoch, steps) => events?.onEpochStart?.(epoch, steps),
    onNewBest: (epoch) => {
      before();
      events?.onNewBest?.(epoch);
    },
    onStep: (step, steps, loss) => events?.onStep?.(step, steps, loss),
    onEpochEnd: (record) => events?.onEpochEnd?.(record),
    onValidationStart: (epoch) => events?.onValidationStart?.(epoch),
    onValidationProgress: (done, total) => events?.onValidationProgress?.(done, total),
  } satisfies Required<TrainerEvents>;
}
