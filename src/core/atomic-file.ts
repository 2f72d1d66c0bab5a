/** Atomic file writes: write a temporary file beside the target, flush it, then rename over the target. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Writes `data` to `file` atomically (readers see the old file or the new one, never half of one). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
