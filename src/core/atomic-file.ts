/**
 * Atomic file writes (the npm package write-file-atomic: a temporary file beside the target, flushed, renamed over
 * it, removed on failure): readers see the old file or the new one, never half of one. Large binaries (checkpoints
 * of several GiB, beyond the 2 GiB one write call takes) are written in pieces by `writeChunksAtomic`, same contract.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

/** Writes `data` to `file` atomically, creating its directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicLib(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), { fsync: true });
}

/** Bytes per write or read call (Node's fs calls take at most 2 GiB − 1). */
export const IO_PIECE_BYTES = 1 << 30;

/**
 * Writes `chunks` one after the other to `file` atomically: a temporary file `<file>.tmp-<pid>-<time>` beside it,
 * written in pieces of at most `pieceBytes` (1 GiB), each also handed to `onPiece` (e.g. a hash), flushed, renamed
 * over `file`; removed on failure.
 */
export async function writeChunksAtomic(file: string, chunks: readonly Uint8Array[], onPiece?: (piece: Uint8Array) => void,
  pieceBytes = IO_PIECE_BYTES): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const handle = await fs.open(temp, 'w');
  try {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; at += pieceBytes) {
        const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + pieceBytes));
        onPiece?.(piece);
        let written = 0;
        while (written < piece.byteLength) written += (await handle.write(piece, written, piece.byteLength - written)).bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await fs.rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Whether a file name is the temporary file of an interrupted atomic write (`<name>.<ext>.<number>`, or `.tmp-pid-time`). */
export function isAtomicTemp(name: string): boolean {
  return /\.tmp-\d+-\d+$/.test(name) || /\.[a-z]+\.\d+$/i.test(name);
}
