/** Loading a trained run directory: the checkpoint, the model it names, and its parameters. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadCheckpoint, CheckpointError, type CheckpointHeader } from '../core/checkpoint.js';
import { ModelRuntime } from '../core/model-runtime.js';
import { runLockHolder } from '../core/run-lock.js';
import { modelFromConfig } from './models.js';

/** A trained model loaded from a run directory. */
export interface LoadedRun {
  runtime: ModelRuntime;
  header: CheckpointHeader;
  file: string;
}

/** The checkpoint a run directory is read from: `stem`, else `best` (or `last` when no validation improved yet); a missing directory or header is an error naming it. */
export function checkpointStemOf(runDir: string, stem?: 'best' | 'last'): 'best' | 'last' {
  const chosen = stem ?? (existsSync(path.join(runDir, 'best.json')) ? 'best' : 'last');
  if (!existsSync(runDir)) throw new CheckpointError(runDir, 'no such directory (a run directory written by `kgdistill train` or `distill`)');
  if (!statSync(runDir).isDirectory()) throw new CheckpointError(runDir, notADirectory(runDir));
  if (!existsSync(path.join(runDir, `${chosen}.json`))) {
    // asked for the last checkpoint of a run that has only its best (a finished run keeps last.json; a copy may not)
    if (stem === 'last' && existsSync(path.join(runDir, 'best.json'))) throw new CheckpointError(runDir, 'no last checkpoint in this directory (last.json) but a best one: drop --last (in code, last: true) to read best.json');
    throw new CheckpointError(runDir, 'no checkpoint in this directory (expected best.json or last.json from `kgdistill train`)');
  }
  return chosen;
}

/** Why a file given where a run directory is expected is refused, pointing to its directory when it is a checkpoint's header or binary. */
function notADirectory(file: string): string {
  const base = path.basename(file);
  const checkpointFile = /^(best|last)(\.json|-[0-9a-z]+\.bin)$/.test(base);
  return `is a file, not a run directory${checkpointFile ? `: give the run directory that holds it, ${path.dirname(file)}` : ' (a run directory holds best.json or last.json from `kgdistill train`)'}`;
}

/**
 * Loads `best` (or, if no validation improved yet, `last`) from a run directory; `onNotice` hears when the best was
 * asked for (no `stem`) and the last is read instead, with its epoch.
 */
export async function loadRun(runDir: string, stem?: 'best' | 'last', onNotice?: (message: string) => void): Promise<LoadedRun> {
  const chosen = checkpointStemOf(runDir, stem);
  const file = path.join(runDir, `${chosen}.json`);
  const { header, arrays } = await loadCheckpoint(runDir, chosen);
  if (stem === undefined && chosen === 'last') {
    onNotice?.(`${runDir} has no best.json (not validated yet, or removed): using last.json${savedAtEpoch(header)}`);
  }
  const runtime = await ModelRuntime.create(modelFromConfig(header.model, file));
  runtime.loadParameterArrays(arrays, file);
  return { runtime, header, file };
}

/**
 * Tells `onNotice` when another process is still training the run `run` was read from (its lock is held): the
 * answers come from `run.file` (its header saying the epoch), which may still change. Nothing for a finished or
 * stopped run. For eval, export and the lookups; a student's teachers get their own warning (teacher-checks.ts).
 */
export function noteIfStillTraining(run: LoadedRun, onNotice: ((message: string) => void) | undefined): void {
  if (!onNotice) return;
  const runDir = path.dirname(run.file);
  const holder = otherTrainer(runDir);
  if (!holder) return;
  onNotice(`${runDir} is still being trained by process ${holder.pid} on ${holder.host}: using ${path.basename(run.file)}${savedAtEpoch(run.header)}, which may still change`);
}

/** The process training the run in `runDir` now (it holds the run's lock), when it is another than this one. */
export function otherTrainer(runDir: string): { pid: number; host: string } | undefined {
  const holder = runLockHolder(runDir);
  return holder && holder.pid !== process.pid ? holder : undefined;
}

/** ` (epoch N)` of the epoch a checkpoint's header says it was saved at, or '' when it does not say. */
export function savedAtEpoch(header: CheckpointHeader): string {
  const epoch = (header.progress as { epoch?: unknown }).epoch;
  return typeof epoch === 'number' ? ` (epoch ${epoch})` : '';
}
