import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { verifyManifest, manifestCachePath, parseManifest } from '../../src/kg/manifest.js';
import { KgInputError } from '../../src/kg/errors.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { tempDir, writeFiles, kgErrorOf } from './helpers.js';

// Well-known digests: sha256("hello\n") and sha256("") (as printed by sha256sum).
const HELLO = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** SHA-256 of a small file, computed independently of the code under test. */
function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('verifyManifest', () => {
  let savedCacheHome: string | undefined;
  let cacheHome: string;

  beforeEach(() => {
    savedCacheHome = process.env.XDG_CACHE_HOME;
    cacheHome = tempDir('kgdistill-cache-');
    process.env.XDG_CACHE_HOME = cacheHome;
  });
  afterEach(() => {
    if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCacheHome;
  });

  /** A directory with hello.txt, empty.txt and a matching SHA256SUMS (one entry in binary-mode syntax). */
  function goodDir(): string {
    return writeFiles(tempDir(), {
      'hello.txt': 'hello\n',
      'empty.txt': '',
      SHA256SUMS: `${HELLO}  hello.txt\n${EMPTY.toUpperCase()} *empty.txt\n`,
    });
  }

  it('verifies, caches, and answers the second call from the cache', async () => {
    const dir = goodDir();
    expect(manifestCachePath()).toBe(path.join(cacheHome, 'kgdistill', 'manifest-cache.json'));
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: false });
    const cache = JSON.parse(fs.readFileSync(manifestCachePath(), 'utf8'));
    expect(cache.version).toBe(1);
    expect(cache.entries[path.join(dir, 'hello.txt')]).toMatchObject({ size: 6, sha256: HELLO });
    expect(cache.entries[path.join(dir, 'empty.txt')]).toMatchObject({ size: 0, sha256: EMPTY });
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: true });
    expect(fs.readdirSync(path.dirname(manifestCachePath()))).toEqual(['manifest-cache.json']); // no temp files left
  });

  it('verifications at the same time keep each other\'s cache entries (each write merges what is on disk)', async () => {
    const dirs = [goodDir(), goodDir(), goodDir(), goodDir()];
    // all four read the empty cache before any of them writes, as processes started together do
    expect(await Promise.all(dirs.map((dir) => verifyManifest(dir)))).toEqual(dirs.map(() => ({ verified: true, cached: false })));
    const cache = JSON.parse(fs.readFileSync(manifestCachePath(), 'utf8'));
    expect(Object.keys(cache.entries).sort()).toEqual(dirs.flatMap((dir) => [path.join(dir, 'empty.txt'), path.join(dir, 'hello.txt')]).sort());
  });

  it('reports a directory without SHA256SUMS as not verified', async () => {
    expect(await verifyManifest(writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n' }))).toEqual({ verified: false, cached: false });
  });

  it('rejects a tampered file, also after a cached success', async () => {
    const dir = goodDir();
    await verifyManifest(dir);
    const file = path.join(dir, 'hello.txt');
    fs.writeFileSync(file, 'hello, world\n');
    const error = await kgErrorOf(verifyManifest(dir));
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.file).toBe(file);
    expect(error.message).toBe(
      `${file}: bad checksum: SHA-256 is 853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020, SHA256SUMS says ${HELLO}`,
    );
  });

  it('rejects a listed file that is missing', async () => {
    const dir = goodDir();
    fs.rmSync(path.join(dir, 'empty.txt'));
    await expect(verifyManifest(dir)).rejects.toThrow(`${path.join(dir, 'empty.txt')}: listed in SHA256SUMS but file not found`);
  });

  it('rejects a malformed SHA256SUMS line with its line number', async () => {
    const dir = writeFiles(tempDir(), { SHA256SUMS: `${HELLO}  hello.txt\nnot a checksum line\n`, 'hello.txt': 'hello\n' });
    await expect(verifyManifest(dir)).rejects.toThrow(`${path.join(dir, 'SHA256SUMS')}:2: expected "<64 hex digits>  <file name>"`);
    expect(parseManifest(`# comment\n\n${HELLO}  a b.txt\r\n`, 'SHA256SUMS')).toEqual([{ file: 'a b.txt', sha256: HELLO }]);
  });

  it('ignores a corrupt cache and rewrites it', async () => {
    const dir = goodDir();
    fs.mkdirSync(path.dirname(manifestCachePath()), { recursive: true });
    fs.writeFileSync(manifestCachePath(), '{"version": 1, "entries": {"trunc');
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: false });
    expect(JSON.parse(fs.readFileSync(manifestCachePath(), 'utf8')).entries[path.join(dir, 'hello.txt')].sha256).toBe(HELLO);
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: true });
  });

  it('keys the cache on path, size and mtime: a same-size edit with the old mtime is not re-hashed', async () => {
    // Documents the trade-off of the cache: it trusts (size, mtimeMs) like make and rsync do.
    const dir = goodDir();
    const file = path.join(dir, 'hello.txt');
    const fixedTime = 1_700_000_000; // whole seconds, so mtimeMs survives the round trip exactly
    fs.utimesSync(file, fixedTime, fixedTime);
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: false });
    fs.writeFileSync(file, 'HELLO\n');
    fs.utimesSync(file, fixedTime, fixedTime);
    expect(await verifyManifest(dir)).toEqual({ verified: true, cached: true });
    fs.utimesSync(file, fixedTime, fixedTime + 5);
    await expect(verifyManifest(dir)).rejects.toThrow('bad checksum');
  });

  it('loadDataset verifies the manifest (cached the second time) and can skip it', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'b\tr\ta\n' });
    const sums = ['train.txt', 'valid.txt', 'test.txt']
      .map((f) => `${sha256Of(path.join(dir, f))}  ${f}`)
      .join('\n');
    fs.writeFileSync(path.join(dir, 'SHA256SUMS'), sums + '\n');
    expect((await loadDataset(dir)).report.manifest).toEqual({ verified: true, cached: false });
    expect((await loadDataset(dir)).report.manifest).toEqual({ verified: true, cached: true });
    fs.appendFileSync(path.join(dir, 'test.txt'), 'a\tr\ta\n');
    await expect(loadDataset(dir)).rejects.toThrow(`${path.join(dir, 'test.txt')}: bad checksum`);
    expect((await loadDataset(dir, { verify: false })).report.manifest).toEqual({ verified: false, cached: false, skipped: true });
  });
});
