/**
 * Atomic file writes (the npm package write-file-atomic: a temporary file beside the target, flushed, renamed over
 * it, removed on failure): readers see the old file or the new one, never half of one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

/** Writes `data` to `file` atomically, creating its directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicLib(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), { fsync: true });
}

/** Whether a file name is the temporary file of an interrupted atomic write (`<name>.<ext>.<number>`, or `.tmp-pid-time`). */
export function isAtomicTemp(name: string): boolean {
  return /\.tmp-\d+-\d+$/.test(name) || /\.[a-z]+\.\d+$/i.test(name);
}
