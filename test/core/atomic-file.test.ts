// Atomic writes of large binaries in pieces (checkpoints beyond the 2 GiB one fs call takes): the pieces join into
// the exact bytes, and a failed write leaves neither the target nor a temporary file behind.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAtomicTemp, removeStaleTemporaries, writeChunksAtomic, writeFileAtomic } from '../../src/core/atomic-file.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-atomic-'));

describe('writeChunksAtomic', () => {
  it('writes chunks in pieces of a given size (each handed to onPiece) and joins them into the exact bytes, replacing the old file', async () => {
    const file = path.join(tmp, 'a.bin');
    writeFileSync(file, 'old');
    const pieces: number[][] = [];
    await writeChunksAtomic(file, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7), new Uint8Array(0), Uint8Array.of(8, 9)], (p) => pieces.push(Array.from(p)), 3);
    expect(Array.from(readFileSync(file))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pieces).toEqual([[1, 2, 3], [4, 5, 6], [7], [8, 9]]);
    expect(readdirSync(tmp)).toEqual(['a.bin']);
  });

  it('a write that cannot be committed leaves the target as it was and no temporary file', async () => {
    const dir = path.join(tmp, 'b');
    mkdirSync(path.join(dir, 'target.bin'), { recursive: true }); // a directory where the file should go: rename fails
    await expect(writeChunksAtomic(path.join(dir, 'target.bin'), [Uint8Array.of(1, 2)])).rejects.toThrow(/target\.bin/);
    expect(readdirSync(dir)).toEqual(['target.bin']);
  });
});

/** The prototype of fs.promises' FileHandle (to make its write calls short). */
async function fileHandlePrototype(): Promise<{ write: (...args: unknown[]) => Promise<{ bytesWritten: number }> }> {
  const handle = await fsp.open(path.join(tmp, 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
}

describe('short writes (a full disk writes fewer bytes than asked, without an error)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a short count is written on from where it stopped: the exact bytes', async () => {
    const proto = await fileHandlePrototype();
    const real = proto.write;
    // every call writes at most 3 bytes of what it is given
    const spy = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, buffer: unknown, offset: unknown, length: unknown) {
      return real.call(this, buffer, offset, Math.min(3, length as number));
    });
    const file = path.join(tmp, 'short.json');
    await writeFileAtomic(file, '{"a":1234567890}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1234567890}');
    expect(spy).toHaveBeenCalledTimes(6); // 16 bytes, 3 at a time
  });

  /** Writes `name` over an old file in a directory of its own whose writes `fail`; expects `message` and the old file kept, alone. */
  async function failedWrite(dirName: string, name: string, fail: (write: ReturnType<typeof vi.spyOn>) => void, message: (file: string) => string): Promise<void> {
    const dir = path.join(tmp, dirName);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(file, 'the old header');
    fail(vi.spyOn(await fileHandlePrototype(), 'write'));
    await expect(writeFileAtomic(file, 'a new header')).rejects.toThrow(message(file));
    expect(readFileSync(file, 'utf8')).toBe('the old header');
    expect(readdirSync(dir)).toEqual([name]);
  }

  it('a write that makes no progress is an error naming the file; the old file stays and no temporary is left', async () => {
    await failedWrite('full', 'last.json', (write) => write.mockResolvedValue({ bytesWritten: 0 } as never),
      (file) => `${file}: the write stopped after 0 bytes (is the disk full?); the old file is kept`);
  });

  it('a new file whose write makes no progress says nothing was written (there was no old file to keep)', async () => {
    const dir = path.join(tmp, 'full-new');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'result.json');
    vi.spyOn(await fileHandlePrototype(), 'write').mockResolvedValue({ bytesWritten: 0 } as never);
    await expect(writeFileAtomic(file, 'a result')).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the write stopped after 0 bytes \\(is the disk full\\?\\); nothing was written$`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("the file system's refusal (a file-size limit, a full disk) is one line naming the file in plain words; the old file stays", async () => {
    await failedWrite('limit', 'best.json', (write) => write.mockRejectedValue(Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' })),
      (file) => `${file}: cannot write: file too large (for the file system, or the process's file-size limit, ulimit -f) (EFBIG); the old file is kept`);
  });
});

describe('isAtomicTemp', () => {
  it("knows the temporaries of a run's own files, and no user's file", () => {
    for (const name of ['last.json.123456', 'best.json.tmp-12-1765000000000001', 'metrics.jsonl.tmp-3-4', 'curves.svg.99', 'last-mxb989ih30902d.bin.tmp-5-6', 'config.json.7']) {
      expect(isAtomicTemp(name), name).toBe(true);
    }
    for (const name of ['train.log.1', 'notes.txt.2', 'last.json', 'last.json.bak', 'best-model.bin', 'results.csv.tmp-1-2', 'my.json.3']) {
      expect(isAtomicTemp(name), name).toBe(false);
    }
  });
});

describe('removeStaleTemporaries', () => {
  it("removes a file's temporaries of processes that are gone and write-file-atomic's, nothing else", async () => {
    const dir = path.join(tmp, 'stale');
    mkdirSync(dir, { recursive: true });
    const names = ['best.lorentz.hnsw', 'best.lorentz.hnsw.tmp-2147483646-17650000000001', `best.lorentz.hnsw.tmp-${process.pid}-17650000000002`,
      'best.lorentz.hnsw.123456', 'best.lorentz.hnsw.bak', 'other.hnsw.tmp-2147483646-1', 'best.lorentz.hnsw.tmp-x-1'];
    for (const name of names) writeFileSync(path.join(dir, name), 'x');
    await removeStaleTemporaries(path.join(dir, 'best.lorentz.hnsw'));
    expect(readdirSync(dir).sort()).toEqual(['best.lorentz.hnsw', 'best.lorentz.hnsw.bak', `best.lorentz.hnsw.tmp-${process.pid}-17650000000002`, 'best.lorentz.hnsw.tmp-x-1', 'other.hnsw.tmp-2147483646-1'].sort());
  });
});
