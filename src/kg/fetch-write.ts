/**
 * Writing a fetched, verified dataset into its temporary directory, with failures that name the file and say
 * "cannot write", and telling a dangling symbolic link where the dataset's directory goes before downloading.
 */
import { existsSync } from 'node:fs';
import { chmod, lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileErrorWords } from './errors.js';
import { DatasetFetchError } from './fetch-error.js';
import { MANIFEST_FILE } from './manifest.js';
import { makeDirectories } from './make-directory.js';

/** Writes the verified files, SHA256SUMS and README into `partial`; a failure names the file (as in `target`) and says "cannot write". */
export async function writeDataset(dataset: string, partial: string, target: string, files: [string, Buffer][], checksumsText: string, checksums: string): Promise<void> {
  const readme = path.join(path.dirname(checksums), 'README.md');
  const all: [string, Buffer | (() => Promise<Buffer>)][] = [...files, [MANIFEST_FILE, Buffer.from(checksumsText)]];
  if (existsSync(readme)) all.push(['README.md', () => readFile(readme)]);
  for (const [file, data] of all) {
    try {
      await makeDirectories(path.dirname(path.join(partial, file)));
      await writeFile(path.join(partial, file), typeof data === 'function' ? await data() : data);
    } catch (error) {
      throw new DatasetFetchError(dataset, path.join(target, file), `cannot write: ${fileErrorWords(error)}`, { cause: error });
    }
  }
  try {
    await chmod(partial, 0o755); // mkdtemp made it private; a dataset directory is as readable as any other
  } catch (error) {
    throw new DatasetFetchError(dataset, target, `cannot write: ${fileErrorWords(error)}`, { cause: error });
  }
}

/** The target of `file` when it is a symbolic link to nothing, else undefined. */
export async function danglingLink(file: string): Promise<string | undefined> {
  const link = await lstat(file).catch(() => undefined);
  if (!link?.isSymbolicLink() || existsSync(file)) return undefined;
  return readlink(file).catch(() => '(unreadable)');
}
