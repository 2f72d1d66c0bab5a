// A full disk, a read-only file system or a refused permission while kgdistill writes: each failure is one line naming
// the file or directory the user knows (not a temporary's name, not a bare "ENOSPC: …, write"), the previous state
// stays whole, and nothing of the failed write is left behind. The file system's refusals are simulated at the seams
// the code has (fs.promises, FileHandle.write), so that the tests run unprivileged, without mounts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { loadCheckpoint, saveCheckpoint, type CheckpointContent } from '../../src/core/checkpoint.js';
import { cleanRunDir } from '../../src/core/run-dir-files.js';
import { spawnSync } from 'node:child_process';
import { writeFileAtomic } from '../../src/core/atomic-file.js';
import { writeNewDirectory } from '../../src/kg/new-directory.js';

/** A system error as Node makes it (code, errno, syscall; a path when the call had one). */
function systemError(code: string, syscall: string, file?: string): NodeJS.ErrnoException {
  const words: Record<string, string> = { ENOSPC: 'no space left on device', EACCES: 'permission denied', EROFS: 'read-only file system', EBUSY: 'resource busy or locked' };
  const error: NodeJS.ErrnoException = new Error(`${code}: ${words[code]}, ${syscall}${file ? ` '${file}'` : ''}`);
  return Object.assign(error, { code, errno: -28, syscall, ...(file ? { path: file } : {}) });
}

const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'kgdistill-full-'));

const header: CheckpointContent['header'] = {
  model: { model: 'DistMult', dim: 2, numEntities: 2, numRelations: 1, options: {} },
  training: {}, dataset: { name: 'tiny' }, vocab: { entities: ['a', 'b'], relations: ['r'] }, progress: { epoch: 1 },
};
const content = (epoch: number, first: number): CheckpointContent => ({ header: { ...header, progress: { epoch } }, arrays: { entity: Float32Array.of(first, 2, 3, 4), relation: Float32Array.of(5, 6) } });

/** Makes fs.promises.open refuse (ENOSPC) the temporary files whose names `temporary` matches, as a full disk would. */
function refuseTemporaries(temporary: RegExp): void {
  const open = fsp.open.bind(fsp);
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const file = String(args[0]);
    if (temporary.test(path.basename(file))) throw systemError('ENOSPC', 'open', file);
    return open(...args);
  });
}

afterEach(() => vi.restoreAllMocks());

describe('a checkpoint saved into a full disk', () => {
  it('a header that cannot be committed leaves the previous checkpoint whole and removes the binary written for it', async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, 'last', content(1, 1));
    const before = readdirSync(dir).sort();
    refuseTemporaries(/^last\.json\.tmp-/); // the new binary is written; its header finds the disk full
    await expect(saveCheckpoint(dir, 'last', content(2, 9))).rejects.toThrow(
      `${path.join(dir, 'last.json')}: cannot save the last checkpoint: no space left on the device (ENOSPC); the previous last checkpoint is kept`);
    expect(readdirSync(dir).sort()).toEqual(before); // no second binary holding the space, no temporary
    vi.restoreAllMocks();
    const loaded = await loadCheckpoint(dir, 'last');
    expect(loaded.header.progress).toEqual({ epoch: 1 });
    expect(Array.from(loaded.arrays.entity!)).toEqual([1, 2, 3, 4]);
  });

  it('a header that cannot be read back after a failed save keeps the new binary (whether it names it cannot be told)', async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, 'last', content(1, 1));
    const before = readdirSync(dir);
    refuseTemporaries(/^last\.json\.tmp-/);
    const readFile = fsp.readFile.bind(fsp);
    vi.spyOn(fsp, 'readFile').mockImplementation(async (...args: Parameters<typeof fsp.readFile>) => {
      if (path.basename(String(args[0])) === 'last.json') throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return readFile(...args);
    });
    await expect(saveCheckpoint(dir, 'last', content(2, 9))).rejects.toThrow(/last\.json: .*no space left on the device \(ENOSPC\)/);
    const added = readdirSync(dir).filter((name) => !before.includes(name));
    expect(added).toHaveLength(1); // the new binary, kept: a later clean-up removes it once its header is read
    expect(added[0]).toMatch(/^last-[0-9a-z]+\.bin$/);
  });

  it("a run's first checkpoint that does not fit names its header, says none was saved and leaves nothing", async () => {
    const dir = tempDir();
    refuseTemporaries(/^best-.*\.bin\.tmp-/); // the binary itself
    await expect(saveCheckpoint(dir, 'best', content(1, 1))).rejects.toThrow(
      `${path.join(dir, 'best.json')}: cannot save the best checkpoint: no space left on the device (ENOSPC); no best checkpoint was saved`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the run lock taken on a full disk', () => {
  it("the staged copy of the lock that a failed take left is removed by the next session's clean-up, a live process's is not", async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, 'last', content(1, 1));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
    const empty = path.join(dir, `.lock.${gone}-8f12e191`);
    writeFileSync(empty, ''); // the lock's content never reached the disk
    writeFileSync(path.join(dir, `.lock.${gone}-0000beef`), ''); // the same, being written now (an empty copy is young for a few ms)
    writeFileSync(path.join(dir, `.lock.${gone}-1badf00d`), `${gone} ${hostname()} boot\n`); // a process of this host, ended
    writeFileSync(path.join(dir, `.lock.${gone}-2badf00d`), `${gone} another-host boot\n`); // another host's (a shared file system): its pid says nothing here
    writeFileSync(path.join(dir, `.lock.${process.pid}-0badcafe`), `${process.pid} ${hostname()} boot\n`); // a take under way
    const old = new Date(Date.now() - 60_000);
    utimesSync(empty, old, old);
    expect((await cleanRunDir(dir)).sort()).toEqual([`.lock.${gone}-1badf00d`, `.lock.${gone}-8f12e191`].sort());
    expect(readdirSync(dir).filter((name) => name.startsWith('.lock')).sort()).toEqual([`.lock.${gone}-0000beef`, `.lock.${gone}-2badf00d`, `.lock.${process.pid}-0badcafe`].sort());
  });
});

describe('an atomic write into a full disk', () => {
  it('a new file says nothing was written (there is no old file to keep), and a failed clean-up does not hide the cause', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'result.json');
    const handle = await fsp.open(path.join(dir, 'probe'), 'w');
    await handle.close();
    vi.spyOn(Object.getPrototypeOf(handle) as { write: () => Promise<unknown> }, 'write').mockRejectedValue(systemError('ENOSPC', 'write'));
    const rm = fsp.rm.bind(fsp);
    vi.spyOn(fsp, 'rm').mockImplementation(async (...args: Parameters<typeof fsp.rm>) => {
      if (path.basename(String(args[0])).startsWith('result.json.tmp-')) throw systemError('EBUSY', 'rm', String(args[0]));
      return rm(...args);
    });
    await expect(writeFileAtomic(file, '{}')).rejects.toThrow(`${file}: cannot write: no space left on the device (ENOSPC); nothing was written`);
    writeFileSync(file, 'old');
    await expect(writeFileAtomic(file, '{}')).rejects.toThrow(`${file}: cannot write: no space left on the device (ENOSPC); the old file is kept`);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });
});

describe('a new directory (export, data split, data generate) on a full, read-only or foreign disk', () => {
  it("a write that finds the disk full names the directory as the user gave it, in plain words, and leaves no staging", async () => {
    const root = tempDir();
    const out = path.join(root, 'export');
    await expect(writeNewDirectory(out, async (staging) => {
      writeFileSync(path.join(staging, 'entity.tsv'), 'part');
      throw systemError('ENOSPC', 'write'); // what fs.promises.writeFile throws: no path
    }, 'my-export')).rejects.toThrow(new Error('my-export: cannot write: no space left on the device (ENOSPC); nothing was written'));
    expect(readdirSync(root)).toEqual([]);
  });

  it('a staging directory that cannot be removed after the failure does not hide the cause', async () => {
    const root = tempDir();
    const rm = fsp.rm.bind(fsp);
    vi.spyOn(fsp, 'rm').mockImplementationOnce(async (target) => { throw systemError('EBUSY', 'rm', String(target)); });
    await expect(writeNewDirectory(path.join(root, 'gen'), async () => { throw systemError('ENOSPC', 'write'); }))
      .rejects.toThrow(new Error(`${path.join(root, 'gen')}: cannot write: no space left on the device (ENOSPC); nothing was written`));
    vi.restoreAllMocks();
    for (const name of readdirSync(root)) await rm(path.join(root, name), { recursive: true });
  });

  it('a directory that refuses the staging directory (read-only, not ours) names the new directory, not the staging name', async () => {
    const root = tempDir();
    const out = path.join(root, 'split');
    for (const code of ['EROFS', 'EACCES']) {
      vi.spyOn(fsp, 'mkdtemp').mockImplementationOnce(async (prefix) => { throw systemError(code, 'mkdtemp', `${String(prefix)}XXXXXX`); });
      const words = code === 'EROFS' ? 'on a read-only file system (EROFS)' : 'permission denied (EACCES)';
      await expect(writeNewDirectory(out, async () => undefined)).rejects.toThrow(new Error(`${out}: cannot write: ${words}; nothing was written`));
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('an empty target that cannot be replaced (rmdir refused) names the new directory in plain words', async () => {
    const root = tempDir();
    const out = path.join(root, 'empty-export');
    mkdirSync(out);
    const rmdir = fsp.rmdir.bind(fsp);
    vi.spyOn(fsp, 'rmdir').mockImplementation(async (target, ...rest) => {
      if (path.resolve(String(target)) === out) throw systemError('EACCES', 'rmdir', String(target));
      return rmdir(target, ...rest);
    });
    await expect(writeNewDirectory(out, async () => undefined, 'empty-export'))
      .rejects.toThrow(new Error('empty-export: cannot write: permission denied (EACCES); nothing was written'));
    expect(readdirSync(root)).toEqual(['empty-export']);
  });

  it('an error about another file (an input read while filling) is left as it is', async () => {
    const root = tempDir();
    const input = systemError('EACCES', 'open', '/elsewhere/train.txt');
    await expect(writeNewDirectory(path.join(root, 'out'), async () => { throw input; })).rejects.toBe(input);
    expect(readdirSync(root)).toEqual([]);
  });
});
