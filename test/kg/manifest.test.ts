import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { verifyManifest, parseManifest } from '../../src/kg/manifest.js';
import { KgInputError } from '../../src/kg/errors.js';
import { formatLoadReport, loadDataset } from '../../src/kg/dataset.js';
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

  it('verifies, and hashes the files again on every call (no cache, no cache file)', async () => {
    const dir = goodDir();
    const listed = [path.join(dir, 'hello.txt'), path.join(dir, 'empty.txt')];
    expect(await verifyManifest(dir)).toEqual({ verified: true, listed });
    expect(await verifyManifest(dir)).toEqual({ verified: true, listed });
    expect(fs.readdirSync(cacheHome)).toEqual([]);
  });

  it('a load report names the split files SHA256SUMS does not list instead of "all files match"', async () => {
    const train = 'a\tr\tb\nb\tr\tc\n';
    const dir = writeFiles(tempDir(), { 'train.txt': train, 'valid.txt': 'a\tr\tc\n', 'test.txt': 'b\tr\ta\n',
      SHA256SUMS: `${createHash('sha256').update(train).digest('hex')}  train.txt\n` });
    const lines = formatLoadReport((await loadDataset(dir)).report);
    expect(lines).toContain(`checksums: the files listed in ${path.join(dir, 'SHA256SUMS')} match; not listed there, so not verified: valid.txt, test.txt`);
    expect(lines.join('\n')).not.toContain('all files match');
  });

  it('reports a directory without SHA256SUMS as not verified', async () => {
    expect(await verifyManifest(writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n' }))).toEqual({ verified: false });
  });

  it('rejects a tampered file, also after a success', async () => {
    const dir = goodDir();
    await verifyManifest(dir);
    const file = path.join(dir, 'hello.txt');
    fs.writeFileSync(file, 'hello, world\n');
    const error = await kgErrorOf(verifyManifest(dir));
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.file).toBe(file);
    expect(error.message).toBe(
      `${file}: bad checksum: SHA-256 is 853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020, SHA256SUMS says ${HELLO}; ` +
        'the file was changed or damaged since SHA256SUMS was written: restore it from where it came from (or, if the change is meant, write SHA256SUMS again)',
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

  it('catches a byte flipped in place with the size and mtime put back (bit rot, a restore, touch -r)', async () => {
    const dir = goodDir();
    const file = path.join(dir, 'hello.txt');
    const fixedTime = 1_700_000_000; // whole seconds, so mtimeMs survives the round trip exactly
    fs.utimesSync(file, fixedTime, fixedTime);
    expect(await verifyManifest(dir)).toMatchObject({ verified: true });
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, 'j', 0); // 'hello\n' → 'jello\n', same size
    fs.closeSync(fd);
    fs.utimesSync(file, fixedTime, fixedTime);
    expect(fs.statSync(file).size).toBe(6);
    expect(fs.statSync(file).mtimeMs).toBe(fixedTime * 1000);
    await expect(verifyManifest(dir)).rejects.toThrow(`${file}: bad checksum: SHA-256 is ${sha256Of(file)}, SHA256SUMS says ${HELLO}; the file was changed or damaged`);
  });

  it('a damaged copy of a fetched benchmark says how to fetch it again, into the same place', async () => {
    const shipped = parseManifest(fs.readFileSync(path.resolve('data', 'WN18RR', 'SHA256SUMS'), 'utf8'), 'SHA256SUMS');
    const train = shipped.find((entry) => entry.file === 'train.txt')!;
    const parent = path.join(tempDir(), 'my data');
    const dir = writeFiles(path.join(parent, 'WN18RR'), { 'train.txt': 'not the published train.txt\n', SHA256SUMS: `${train.sha256}  train.txt\n` });
    await expect(verifyManifest(dir)).rejects.toThrow(
      `${path.join(dir, 'train.txt')}: bad checksum: SHA-256 is ${sha256Of(path.join(dir, 'train.txt'))}, SHA256SUMS says ${train.sha256}; ` +
        `the file is damaged: fetch the dataset again with \`kgdistill data fetch WN18RR --force --dir '${parent}'\``,
    );
  });

  it('loadDataset verifies the manifest (hashed each time) and can skip it', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'b\tr\ta\n' });
    const sums = ['train.txt', 'valid.txt', 'test.txt']
      .map((f) => `${sha256Of(path.join(dir, f))}  ${f}`)
      .join('\n');
    fs.writeFileSync(path.join(dir, 'SHA256SUMS'), sums + '\n');
    expect((await loadDataset(dir)).report.manifest).toMatchObject({ verified: true });
    expect((await loadDataset(dir)).report.manifest).toMatchObject({ verified: true });
    fs.appendFileSync(path.join(dir, 'test.txt'), 'a\tr\ta\n');
    await expect(loadDataset(dir)).rejects.toThrow(`${path.join(dir, 'test.txt')}: bad checksum`);
    expect((await loadDataset(dir, { verify: false })).report.manifest).toEqual({ verified: false, skipped: true });
  });
});
