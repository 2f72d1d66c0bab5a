/** A checkpoint save that failed (a full disk, a read-only file system), said as the checkpoint's, not its temporary's. */
import { fileErrorWords } from '../kg/errors.js';

/** A failed save of checkpoint `stem` (`jsonFile`) in plain words; an error that is not the file system's is returned as is. */
export function checkpointSaveError(jsonFile: string, stem: string, error: unknown, kept: boolean): Error {
  const system = [(error as { cause?: unknown } | undefined)?.cause, error].find((e) => typeof (e as NodeJS.ErrnoException | undefined)?.code === 'string');
  if (system === undefined) return error instanceof Error ? error : new Error(String(error));
  const outcome = kept ? `the previous ${stem} checkpoint is kept` : `no ${stem} checkpoint was saved`;
  return new Error(`${jsonFile}: cannot save the ${stem} checkpoint: ${fileErrorWords(system)}; ${outcome}`, { cause: error });
}
