/**
 * The options of every run (option-schemas.ts: the zod schemas, their defaults and parseOptions, with no Node module,
 * re-exported here so that importers need not know where they live), and what reads a run's own files for them.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LoadOptions } from '../kg/dataset.js';
import { readingOptionsOfRun } from './option-schemas.js';
import { runConfigOrCheckpointCopy } from './run-config.js';

export * from './option-schemas.js';

/**
 * How the run in a directory (or of a checkpoint file in it) read its triple files: from its config.json, or from
 * the copy in its checkpoint when that file is missing or damaged (`onNotice` is told).
 */
export function runReadingOptions(runDirOrFile: string, onNotice?: (message: string) => void): Omit<LoadOptions, 'unseen'> {
  const dir = existsSync(runDirOrFile) && statSync(runDirOrFile).isFile() ? path.dirname(runDirOrFile) : runDirOrFile;
  const { config, note, source } = runConfigOrCheckpointCopy(dir);
  if (note) onNotice?.(note);
  return readingOptionsOfRun(config, source);
}
