/**
 * The trainer's default sink: the run directory's files (file-sink.ts's FileRunSink), loaded when a run opens, by a
 * path that is not a literal, so that a bundler leaves file-sink.ts and the Node modules behind it out of a page's
 * build (a page trains into a MemoryRunSink) while Node finds it beside this file.
 */
import type { CheckpointContent } from './checkpoint.js';
import type { FileRunSink } from './file-sink.js';
import type { EpochRecord, RunSink } from './run-sink.js';

/** file-sink.ts's path, apart so that bundlers leave it out (see fileSinkModule). */
const FILE_SINK_MODULE = './file-sink.js';

/**
 * The run directory's files (file-sink.ts, and through it checkpoint.ts, run-lock.ts, …: Node's file system), loaded
 * when a run without a sink of its own opens or a run is resumed. The path is not a literal, so a bundler leaves those
 * files out of a page's build (a page trains into a MemoryRunSink); Node finds file-sink beside this file.
 */
export function fileSinkModule(): Promise<typeof import('./file-sink.js')> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ FILE_SINK_MODULE) as Promise<typeof import('./file-sink.js')>;
}

/** The trainer's default sink: the run directory's files (file-sink.ts's FileRunSink, loaded when the run opens). */
export class RunDirectorySink implements RunSink {
  private files: FileRunSink | undefined;

  /** The sink of `runDir`; `lockHeld` when the caller already holds its lock (run-job.ts). */
  constructor(private readonly runDir: string, private readonly lockHeld: boolean) {}

  /** Loads file-sink.ts and opens the run directory (made, locked, tidied; `fresh`: a new run's old metrics removed). */
  async open(fresh: boolean): Promise<void> {
    const { FileRunSink } = await fileSinkModule();
    this.files = new FileRunSink(this.runDir, this.lockHeld);
    await this.files.open(fresh);
  }

  /** Lets go of the run directory (its lock), when it was opened. */
  close(): void {
    this.files?.close();
  }

  /** Writes checkpoint `stem` (best or last) atomically. */
  saveCheckpoint(stem: 'best' | 'last', content: CheckpointContent): Promise<void> {
    return this.opened().saveCheckpoint(stem, content);
  }

  /** Appends one epoch's line to metrics.jsonl. */
  appendMetrics(record: EpochRecord): Promise<void> {
    return this.opened().appendMetrics(record);
  }

  /** What the run directory keeps of an interrupted run (file-sink.ts's note), or ''. */
  keptNote(): string {
    return this.files?.keptNote() ?? '';
  }

  /** The file sink of the open run. */
  private opened(): FileRunSink {
    if (!this.files) throw new Error(`trainer: ${this.runDir} is written once the run has opened it (Trainer.run)`);
    return this.files;
  }
}

