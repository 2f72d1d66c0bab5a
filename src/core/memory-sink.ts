/**
 * A run kept in memory instead of a run directory (the trainer's `sink` option): the `best` and `last`
 * checkpoints as copies of their arrays, and the metrics lines. Used where there is no file system (a browser's
 * Web Worker) or where a caller wants the checkpoints without files.
 */
import type { CheckpointContent } from './checkpoint.js';
import type { EpochRecord, RunSink } from './trainer.js';

/** Checkpoints and metrics of one run, in memory. */
export class MemoryRunSink implements RunSink {
  private readonly saved = new Map<'best' | 'last', CheckpointContent>();
  /** The metrics lines, one per epoch, in order. */
  readonly metrics: EpochRecord[] = [];

  /** Keeps a copy of the checkpoint (the trainer hands views of live tables). */
  async saveCheckpoint(stem: 'best' | 'last', content: CheckpointContent): Promise<void> {
    const arrays: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(content.arrays)) arrays[name] = values.slice();
    this.saved.set(stem, { header: structuredClone(content.header), arrays });
  }

  /** Keeps a copy of the epoch's record. */
  async appendMetrics(record: EpochRecord): Promise<void> {
    this.metrics.push(structuredClone(record));
  }

  /** A saved checkpoint, or undefined when none was saved under `stem`. */
  checkpoint(stem: 'best' | 'last'): CheckpointContent | undefined {
    return this.saved.get(stem);
  }
}
