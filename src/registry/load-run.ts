/** Loading a trained run directory: the checkpoint, the model it names, and its parameters. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadCheckpoint, CheckpointError, type CheckpointHeader } from '../core/checkpoint.js';
import { ModelRuntime } from '../core/model-runtime.js';
import { modelFromConfig } from './models.js';

/** A trained model loaded from a run directory. */
export interface LoadedRun {
  runtime: ModelRuntime;
  header: CheckpointHeader;
  file: string;
}

/** Loads `best` (or, if no validation improved yet, `last`) from a run directory. */
export async function loadRun(runDir: string, stem?: 'best' | 'last'): Promise<LoadedRun> {
  const chosen = stem ?? (existsSync(path.join(runDir, 'best.json')) ? 'best' : 'last');
  const file = path.join(runDir, `${chosen}.json`);
  if (!existsSync(runDir)) throw new CheckpointError(runDir, 'no such directory (a run directory written by `kgdistill train` or `distill`)');
  if (!existsSync(file)) throw new CheckpointError(runDir, 'no checkpoint in this directory (expected best.json or last.json from `kgdistill train`)');
  const { header, arrays } = await loadCheckpoint(runDir, chosen);
  const runtime = await ModelRuntime.create(modelFromConfig(header.model));
  runtime.loadParameterArrays(arrays, file);
  return { runtime, header, file };
}
