/**
 * Atomic file writes: a temporary file `<file>.tmp-<pid>-<n>` beside the target, written in full (a loop until
 * every byte is down: one write call may write fewer bytes than asked, e.g. when the disk fills), its size checked,
 * flushed (fsync), renamed over the target, and the directory flushed so that the rename survives a power loss;
 * removed on failure. Readers see the old file or the new one, never part of one. Large binaries (checkpoints of
 * several GiB, beyond the 2 GiB one write call takes) are written in pieces, same contract.
 *
 * (write-file-atomic, used before 2026-12-06, makes one write call and ignores its count: on a full disk it renamed
 * a truncated checkpoint header over a good one.)
 */
import { promises as fs } from 'node:fs';
import { makeDirectories } from '../kg/make-directory.js';
import path from 'node:path';
import { isProcessRunning } from '../kg/process-running.js';
import { fileWriteError } from '../kg/errors.js';

/** Writes `data` to `file` atomically, creating its directory; a failure names the file and keeps the old one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeChunksAtomic(file, [typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
}

/** Bytes per write or read call (Node's fs calls take at most 2 GiB − 1). */
export const IO_PIECE_BYTES = 1 << 30;

/** Tells apart the temporary files of atomic writes started in the same millisecond by one process. */
let sequence = 0;

/**
 * Writes `chunks` one after the other to `file` atomically: a temporary file beside it, written in pieces of at
 * most `pieceBytes` (1 GiB), each also handed to `onPiece` (e.g. a hash), its size checked, flushed, renamed over
 * `file`, the directory flushed; removed on failure.
 */
export async function writeChunksAtomic(file: string, chunks: readonly Uint8Array[], onPiece?: (piece: Uint8Array) => void,
  pieceBytes = IO_PIECE_BYTES): Promise<void> {
  try {
    await writeChunksAtomicOrThrow(file, chunks, onPiece, pieceBytes);
  } catch (error) {
    const existed = await fs.stat(file).then(() => true, () => false);
    const outcome = existed ? '; the old file is kept' : '; nothing was written';
    if (error instanceof IncompleteWriteError) throw new Error(`${error.message}${outcome}`, { cause: error });
    throw fileWriteError(file, error, 'cannot write', outcome);
  }
}

/** A write the file system took only in part, without an error of its own (its message names the file; the outcome is added by the caller). */
class IncompleteWriteError extends Error {}

/** writeChunksAtomic with the file system's own errors (ENOSPC, EFBIG, …) as they come. */
async function writeChunksAtomicOrThrow(file: string, chunks: readonly Uint8Array[], onPiece: ((piece: Uint8Array) => void) | undefined,
  pieceBytes: number): Promise<void> {
  await makeDirectories(path.dirname(file));
  sequence = (sequence + 1) % 1000;
  const temp = `${file}.tmp-${process.pid}-${Date.now()}${String(sequence).padStart(3, '0')}`;
  const handle = await fs.open(temp, 'w');
  try {
    let total = 0;
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; at += pieceBytes) {
        const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + pieceBytes));
        onPiece?.(piece);
        let written = 0;
        while (written < piece.byteLength) {
          const { bytesWritten } = await handle.write(piece, written, piece.byteLength - written);
          if (bytesWritten <= 0) throw new IncompleteWriteError(`${file}: the write stopped after ${total + written} bytes (is the disk full?)`);
          written += bytesWritten;
        }
        total += written;
      }
    }
    await handle.sync();
    const { size } = await handle.stat();
    if (size !== total) throw new IncompleteWriteError(`${file}: ${size} bytes reached the disk of ${total} written`);
    await handle.close();
    await fs.rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined); // the write's own error is the one to report
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Flushes a directory's entries (the rename of a file into it); a no-op where directories cannot be opened (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch { /* some file systems refuse fsync on a directory: the rename itself is done */ } finally {
    await handle.close();
  }
}

/**
 * The files kgdistill writes in a run directory that an interrupted atomic write can leave a temporary of: the
 * headers, config, result, teachers record, metrics log, curves and the checkpoint binaries.
 */
const RUN_FILE_STEM = /^(?:(?:best|last|config|result|teachers)\.json|metrics\.jsonl|curves\.svg|(?:best|last)-[0-9a-z]+\.bin)$/;

/** What a temporary adds to its file's name: `.tmp-<pid>-<n>` (ours; group 1 the pid) or `.<n>` (write-file-atomic's). */
const TEMP_SUFFIX = /\.(?:tmp-(\d+)-\d+|\d+)$/;

/**
 * Whether `name` is the temporary file of an interrupted atomic write of a run file: `<file>.tmp-<pid>-<n>`, or
 * `<file>.<n>` (write-file-atomic's, before 2026-12-06). A user's `train.log.1` or `notes.txt.2` is not one.
 */
export function isAtomicTemp(name: string): boolean {
  const match = TEMP_SUFFIX.exec(name);
  return match !== null && RUN_FILE_STEM.test(name.slice(0, match.index));
}

/**
 * Whether temporary `name` (as TEMP_SUFFIX reads it) was left by a writer that is gone: `<file>.tmp-<pid>-<n>` of a
 * process no longer running on this host (this process's own are writes under way), and write-file-atomic's
 * `<file>.<n>` (before 2026-12-06) always. A temporary of a live process is a write under way — another command
 * (`kgdistill plot` writing curves.svg into a run being resumed) renames it into place when done.
 */
function writerGone(match: RegExpExecArray): boolean {
  const pid = match[1] === undefined ? undefined : Number(match[1]);
  return pid === undefined || (pid !== process.pid && !isProcessRunning(pid));
}

/** Whether `name` is the temporary of an interrupted atomic write of a run file (isAtomicTemp) whose writer is gone (no write under way). */
export function isStaleAtomicTemp(name: string): boolean {
  const match = TEMP_SUFFIX.exec(name);
  return match !== null && isAtomicTemp(name) && writerGone(match);
}

/**
 * Removes the temporaries that interrupted atomic writes of `file` left beside it: `<file>.tmp-<pid>-<n>` of a
 * process that is gone (this host), and write-file-atomic's `<file>.<n>` (before 2026-12-06). For files written
 * outside a run directory, whose start does not clean up (e.g. the lookup indexes: a killed build leaves its size).
 */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file), base = path.basename(file);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_SUFFIX.exec(name);
    if (!match || match.index !== base.length || !name.startsWith(base)) continue;
    if (writerGone(match)) await fs.rm(path.join(dir, name), { force: true });
  }
}
