// Atomic writes of large binaries in pieces (checkpoints beyond the 2 GiB one fs call takes): the pieces join into
// the exact bytes, and a failed write leaves neither the target nor a temporary file behind.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAtomicTemp, writeChunksAtomic } from '../../src/core/atomic-file.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-atomic-'));

describe('writeChunksAtomic', () => {
  it('writes chunks in pieces of a given size (each handed to onPiece) and joins them into the exact bytes, replacing the old file', async () => {
    const file = path.join(tmp, 'a.bin');
    writeFileSync(file, 'old');
    const pieces: number[][] = [];
    await writeChunksAtomic(file, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7), new Uint8Array(0), Uint8Array.of(8, 9)], (p) => pieces.push(Array.from(p)), 3);
    expect(Array.from(readFileSync(file))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pieces).toEqual([[1, 2, 3], [4, 5, 6], [7], [8, 9]]);
    expect(readdirSync(tmp).filter(isAtomicTemp)).toEqual([]);
  });

  it('a write that cannot be committed leaves the target as it was and no temporary file', async () => {
    const dir = path.join(tmp, 'b');
    mkdirSync(path.join(dir, 'target.bin'), { recursive: true }); // a directory where the file should go: rename fails
    await expect(writeChunksAtomic(path.join(dir, 'target.bin'), [Uint8Array.of(1, 2)])).rejects.toThrow(/target\.bin/);
    expect(readdirSync(dir)).toEqual(['target.bin']);
  });
});
