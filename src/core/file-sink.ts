/**
 * A run's checkpoints and metrics as files of its run directory (the trainer's default sink): `{best,last}.{json,bin}`
 * and `metrics.jsonl`. Opening the run makes the directory, takes its lock (unless the caller holds it), removes the
 * leftovers of an interrupted checkpoint write and, for a run from nothing, the metrics lines of an earlier attempt
 * that ended before its first checkpoint. A resume reads its `last` checkpoint (and checks `best`) here too. The
 * trainer itself touches no file and imports this file only when a run needs it (trainer.ts's fileSinkModule), so a
 * page's bundle holds none of it: an in-memory sink (memory-sink.ts) runs where there is no file system.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { makeDirectories } from '../kg/make-directory.js';
import { loadCheckpoint, saveCheckpoint, verifyCheckpoint, type CheckpointContent, type CheckpointHeader } from './checkpoint.js';
import { cleanRunDir } from './run-dir-files.js';
import { appendMetrics, trimMetrics } from './metrics-log.js';
import { lockRunDir, type RunLock } from './run-lock.js';
import type { EpochRecord, RunSink } from './run-sink.js';

// what a resume takes from a checkpoint, for the trainer, which loads this file only when it needs the run directory
export { arraysWithPrefix } from './checkpoint.js';

/** Checkpoints and metrics of one run, in its run directory. */
export class FileRunSink implements RunSink {
  private lock: RunLock | undefined;

  /** `lockHeld`: the caller holds the run directory's lock (`lockRunDir`) for longer than the run. */
  constructor(private readonly runDir: string, private readonly lockHeld = false) {}

  /** The run's metrics file. */
  get metricsFile(): string {
    return path.join(this.runDir, 'metrics.jsonl');
  }

  /** Makes and locks the run directory, cleans a checkpoint write's leftovers, and for a `fresh` run, old metrics lines. */
  async open(fresh: boolean): Promise<void> {
    await makeDirectories(this.runDir);
    if (!this.lockHeld) this.lock = lockRunDir(this.runDir);
    await cleanRunDir(this.runDir);
    if (fresh) await fs.rm(this.metricsFile, { force: true });
  }

  /** Releases the lock taken by `open`. */
  close(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  /** Writes `runDir/<stem>.{json,bin}`. */
  async saveCheckpoint(stem: 'best' | 'last', content: CheckpointContent): Promise<void> {
    await saveCheckpoint(this.runDir, stem, content);
  }

  /** Appends the epoch's line to metrics.jsonl. */
  async appendMetrics(record: EpochRecord): Promise<void> {
    await appendMetrics(this.metricsFile, record);
  }

  /**
   * What a resume starts from, after cleaning a checkpoint write's leftovers: the `last` checkpoint, and the header of
   * `best` when there is one (verified now: a damaged one is found before anything is trained or written).
   */
  async resumePoint(): Promise<{ saved: CheckpointContent & { header: CheckpointHeader }; source: string; bestSource: string; bestHeader?: CheckpointHeader }> {
    await cleanRunDir(this.runDir);
    const saved = await loadCheckpoint(this.runDir, 'last');
    const bestSource = path.join(this.runDir, 'best.json');
    const hasBest = await fs.stat(bestSource).then(() => true, () => false);
    const bestHeader = hasBest ? await verifyCheckpoint(this.runDir, 'best') : undefined;
    return { saved, source: path.join(this.runDir, 'last.json'), bestSource, ...(bestHeader ? { bestHeader } : {}) };
  }

  /** Drops the metrics lines after `lastEpoch` (those of epochs a resume trains again). */
  async trimMetrics(lastEpoch: number): Promise<void> {
    await trimMetrics(this.metricsFile, lastEpoch);
  }

  /** What a diverged run leaves to resume from: the last finite checkpoint, when there is one. */
  keptNote(): string {
    const last = path.join(this.runDir, 'last.json');
    return existsSync(last) ? ` ${last} keeps the last finite checkpoint (resuming it repeats the same steps).` : '';
  }
}
